"""What a reader of a file can see: text that Word or a browser does not show is not
policy, whatever a parser finds in the file.

Word (.docx): a run is hidden when its effective properties — the run's own, its
character style's, its paragraph style's (each with their ``basedOn`` chain), then the
document defaults — set ``w:vanish`` or ``w:specVanish``; when its font size is 2 pt or
less; or when its colour is its background's (the run's shading or highlight, else the
paragraph's, else the table cell's, else the page's — white unless the document sets
one). A paragraph whose mark is hidden (``w:pPr/w:rPr/w:vanish``) is hidden whole: Word
folds it into the next paragraph, other viewers drop it, and a clerk checking the file
cannot rely on seeing it.

HTML: an element with the ``hidden`` attribute, ``aria-hidden="true"``, or a style —
inline, or a simple ``<style>`` rule on a tag, class or id — that sets ``display:none``,
``visibility:hidden``, ``opacity:0`` or a font size of 0 (or at most 2 px / pt).

What is left out is returned as :class:`Dropped` items (its text, why, and the visible
text of the paragraph it sat in), so that the draft can show it and the rows drafted
from that paragraph are held back for a person to look at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WHITE = "FFFFFF"
# Word's highlight names (w:highlight) as colours.
HIGHLIGHT = {"white": "FFFFFF", "black": "000000", "yellow": "FFFF00", "green": "00FF00", "cyan": "00FFFF",
             "magenta": "FF00FF", "blue": "0000FF", "red": "FF0000", "darkBlue": "000080", "darkCyan": "008080",
             "darkGreen": "008000", "darkMagenta": "800080", "darkRed": "800000", "darkYellow": "808000",
             "darkGray": "808080", "lightGray": "C0C0C0"}
TINY_HALF_POINTS = 4  # w:sz is in half-points: 4 = 2 pt
# Two colours this close (each of R, G, B within 16 of 255) look the same to a reader.
SAME_COLOUR = 16
OFF = ("0", "false", "off")


@dataclass
class Dropped:
    """Text a reader does not see, left out of the extracted text."""

    text: str
    reason: str  # 隐藏文字（w:vanish）, 字号不超过2磅, 文字颜色与背景相同, display:none …
    context: str = ""  # the visible text of the paragraph it was in ("" when all of it was hidden)


# ------------------------------------------------------------------------- Word
class DocxVisibility:
    """Resolves, for each run of a document, whether a reader sees it."""

    def __init__(self, document) -> None:
        from docx.oxml.ns import qn

        self.qn = qn
        styles = document.styles.element
        self.styles = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
        default = styles.find(qn("w:docDefaults"))
        self.default_rpr = default.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}") if default is not None else None
        self.default_paragraph_style = next(
            (sid for sid, s in self.styles.items() if s.get(qn("w:type")) == "paragraph"
             and s.get(qn("w:default")) in ("1", "true", "on")), None)
        background = document.element.find(qn("w:background"))
        colour = background.get(qn("w:color")) if background is not None else None
        self.page = _hex(colour) or WHITE

    def paragraph(self, p, cell_fill: str | None = None) -> tuple[str, list[Dropped]]:
        """The visible text of paragraph element ``p`` and what was hidden in it."""
        qn = self.qn
        props = p.find(qn("w:pPr"))
        style_id = _val(props.find(qn("w:pStyle")), qn) if props is not None else None
        style_id = style_id or self.default_paragraph_style
        mark = props.find(qn("w:rPr")) if props is not None else None
        mark_hidden = mark is not None and any(_on(mark.find(qn(t)), qn) for t in ("w:vanish", "w:specVanish"))
        background = self._paragraph_fill(props, style_id) or cell_fill or self.page
        shown: list[str] = []
        hidden: list[tuple[str, str]] = []
        for run in p.xpath("./w:r | ./w:hyperlink/w:r"):
            text = run.text
            if not text:
                continue
            reason = "段落标记隐藏（w:vanish）" if mark_hidden else self._hidden(run, style_id, background)
            if reason:
                if hidden and hidden[-1][1] == reason:
                    hidden[-1] = (hidden[-1][0] + text, reason)
                else:
                    hidden.append((text, reason))
            else:
                shown.append(text)
        visible = "".join(shown)
        context = visible.strip()
        return visible, [Dropped(t.strip(), r, context) for t, r in hidden if t.strip()]

    def cell_fill(self, tc) -> str | None:
        qn = self.qn
        shading = tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
        return _fill(shading, qn)

    # ----------------------------------------------------------------- helpers
    def _hidden(self, run, paragraph_style: str | None, background: str) -> str:
        qn = self.qn
        rpr = run.find(qn("w:rPr"))
        run_style = _val(rpr.find(qn("w:rStyle")), qn) if rpr is not None else None
        chain = [rpr, *self._style_chain(run_style, "w:rPr"), *self._style_chain(paragraph_style, "w:rPr"),
                 self.default_rpr]
        for tag, name in (("w:vanish", "隐藏文字（w:vanish）"), ("w:specVanish", "隐藏文字（w:specVanish）")):
            found = _first(chain, qn(tag))
            if found is not None and _on(found, qn):
                return name
        size = _first(chain, qn("w:sz"))
        if size is not None and (half := _int(_val(size, qn))) is not None and half <= TINY_HALF_POINTS:
            return f"字号过小（{half / 2:g}磅）"
        colour = _hex(_val(_first(chain, qn("w:color")), qn))
        if colour is None:  # "auto": Word picks black or white against the background
            return ""
        own = _fill(_first([rpr, *self._style_chain(run_style, "w:rPr")], qn("w:shd")), qn)
        light = _first([rpr, *self._style_chain(run_style, "w:rPr")], qn("w:highlight"))
        highlight = HIGHLIGHT.get(_val(light, qn) or "") if light is not None else None
        behind = own or highlight or background
        return f"文字颜色与背景相同（#{colour}）" if _same(colour, behind) else ""

    def _style_chain(self, style_id: str | None, part: str) -> list:
        """``part`` (w:rPr / w:pPr) of a style and of the styles it is based on."""
        qn = self.qn
        out, seen = [], set()
        while style_id and style_id not in seen and style_id in self.styles:
            seen.add(style_id)
            style = self.styles[style_id]
            out.append(style.find(qn(part)))
            style_id = _val(style.find(qn("w:basedOn")), qn)
        return out

    def _paragraph_fill(self, props, style_id: str | None) -> str | None:
        qn = self.qn
        shading = _first([props, *self._style_chain(style_id, "w:pPr")], qn("w:shd"))
        return _fill(shading, qn)


def _first(elements: list, tag: str):
    for element in elements:
        if element is not None and (found := element.find(tag)) is not None:
            return found
    return None


def _val(element, qn) -> str | None:
    return element.get(qn("w:val")) if element is not None else None


def _on(element, qn) -> bool:
    """A toggle property (``<w:vanish/>``, ``<w:vanish w:val="0"/>``) is on?"""
    return element is not None and (_val(element, qn) or "true").lower() not in OFF


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _fill(shading, qn) -> str | None:
    return _hex(shading.get(qn("w:fill"))) if shading is not None else None


def _hex(value: str | None) -> str | None:
    value = (value or "").strip().lstrip("#").upper()
    return value if re.fullmatch(r"[0-9A-F]{6}", value) else None


def _same(a: str, b: str) -> bool:
    return all(abs(int(a[i:i + 2], 16) - int(b[i:i + 2], 16)) <= SAME_COLOUR for i in (0, 2, 4))


# ------------------------------------------------------------------------- HTML
HIDING = [
    (re.compile(r"(?:^|;)\s*display\s*:\s*none\b", re.I), "display:none"),
    (re.compile(r"(?:^|;)\s*visibility\s*:\s*(?:hidden|collapse)\b", re.I), "visibility:hidden"),
    (re.compile(r"(?:^|;)\s*opacity\s*:\s*0(?:\.0+)?\s*(?:;|$|!)", re.I), "opacity:0"),
    (re.compile(r"(?:^|;)\s*font-size\s*:\s*(?:0(?:\.0+)?[a-z%]*|[0-2](?:\.\d+)?(?:px|pt))\s*(?:;|$|!)", re.I),
     "font-size过小"),
]
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
SIMPLE_SELECTOR = re.compile(r"^([a-z][a-z0-9]*)?(?:\.([\w-]+)|#([\w-]+))?$", re.I)
REVEALED_MIN_CHARS = 200  # a hidden container this long and holding most of the page is its body
MAX_CONTEXT = 500  # a hidden element's surrounding text is kept as context up to a paragraph's length
NOT_TEXT = ("script", "style", "template", "noscript", "head", "title", "meta", "link")


def _hiding(style: str) -> str:
    return next((name for pattern, name in HIDING if pattern.search(style or "")), "")


def _style_rules(tree) -> list[tuple[str | None, str | None, str | None, str]]:
    """(tag, class, id, why) of the simple ``<style>`` rules that hide what they match."""
    rules = []
    for block in tree.xpath("//style/text()"):
        css = re.sub(r"/\*.*?\*/", "", str(block), flags=re.S)
        css = re.sub(r"@media[^{]*\{((?:[^{}]*\{[^{}]*\})*)\s*\}", "", css)  # conditional rules: not always
        for selectors, declarations in RULE.findall(css):
            why = _hiding(declarations)
            if not why:
                continue
            for selector in selectors.split(","):
                m = SIMPLE_SELECTOR.match(selector.strip())
                if m and any(m.groups()):
                    rules.append((m.group(1), m.group(2), m.group(3), why))
    return rules


def drop_hidden_html(tree) -> list[Dropped]:
    """Remove from ``tree`` (lxml.html) the elements a browser does not show; returns what
    they said."""
    rules = _style_rules(tree)
    total = len(_bare_text(tree))
    hidden = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in NOT_TEXT:
            continue
        why = _why_hidden(element, rules)
        if why and not _revealed_body(element, why, total):
            hidden.append((element, why))
    dropped = []
    removed: set = set()
    for element, why in hidden:
        if any(ancestor in removed for ancestor in element.iterancestors()):
            continue
        removed.add(element)
        text = " ".join(" ".join(t.strip() for t in _texts(element) if t.strip()).split())
        parent = element.getparent()
        if parent is None:
            continue
        element.drop_tree()  # keeps the text that follows the element
        if text:
            context = " ".join(" ".join(t.strip() for t in _texts(parent) if t.strip()).split())
            dropped.append(Dropped(text, why, context if len(context) <= MAX_CONTEXT else ""))
    return dropped


def _bare_text(element) -> str:
    return "".join("".join(_texts(element)).split())


def _revealed_body(element, why: str, total: int) -> bool:
    """The page's own text, hidden only until the page's script shows it: a 公众号 article
    saved from the browser keeps ``visibility: hidden`` on its body (#js_content). A
    container hidden so that holds most of the page's text (and a real amount of it) is the
    text, not something kept from readers; what is hidden inside it is still left out."""
    if why != "visibility:hidden" or total == 0:
        return False
    own = len(_bare_text(element))
    return own >= REVEALED_MIN_CHARS and own >= 0.5 * total


def _texts(element) -> list[str]:
    out = []
    if element.tag not in NOT_TEXT and element.text:
        out.append(element.text)
    for child in element:
        if isinstance(child.tag, str) and child.tag not in NOT_TEXT:
            out.extend(_texts(child))
        if child.tail:
            out.append(child.tail)
    return out


def _why_hidden(element, rules) -> str:
    if element.get("hidden") is not None:
        return "hidden属性"
    if (element.get("aria-hidden") or "").strip().lower() == "true":
        return "aria-hidden"
    why = _hiding(element.get("style", ""))
    if why:
        return why
    classes = set((element.get("class") or "").split())
    for tag, cls, ident, rule_why in rules:
        if (tag is None or tag == element.tag) and (cls is None or cls in classes) and \
                (ident is None or ident == element.get("id")):
            return rule_why
    return ""
