"""What a new policy text says about itself: the cleaned copy's body (paragraphs, title
line, editorial section marks) and the front-matter fields — title, issuer, 文号, date,
status, validity, offices — read from the text by rules over the words in the lexicon's
``onboarding`` section (``knowledge/lexicon.yaml``).

Nothing is invented: a field the text does not state is reported as not found, and the
person reviewing the document is told so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import KnowledgeError
from bot.ingest.chrome import ChromeWords
from bot.ingest.parse import MARKER, ParsedFile
from bot.models import DocStatus
from bot.policy.quantities import Quantity, load_quantities

# "（1）…" under a numbered item: a sub-list the splitter has no level for; kept in its
# item's clause (one paragraph, one line per sub-item) so the item reads whole.
SUB_ITEM = re.compile(r"^（\d{1,2}）")
ITEM = re.compile(r"^\d{1,2}[.．、](?!\d)")
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _stripped(pattern: re.Pattern[str], text: str, chars: str = "") -> str:
    """``text`` with ``pattern`` removed until nothing more matches (a tail uncovers the next)."""
    before = None
    while text != before:
        text, before = pattern.sub("", text).strip(chars) if chars else pattern.sub("", text), text
    return text


@dataclass(frozen=True)
class OnboardingWords:
    """The lexicon's ``onboarding`` section, compiled (see the comments there)."""

    status: dict[str, tuple[str, ...]]
    title_words: tuple[str, ...]
    doc_number: re.Pattern[str]
    validity: re.Pattern[str]
    office_suffixes: tuple[str, ...]
    office_stops: tuple[str, ...]
    issuer_suffixes: tuple[str, ...]
    trailer: dict[str, re.Pattern[str]]
    grant: re.Pattern[str]
    no_grant: re.Pattern[str]
    service: re.Pattern[str]
    action: re.Pattern[str]
    preamble: re.Pattern[str]
    fund: re.Pattern[str]
    free: re.Pattern[str]
    money: re.Pattern[str]
    ratio: re.Pattern[str]
    cap: re.Pattern[str]
    duration: re.Pattern[str]
    one_off: str
    case_by_case: str
    actual_cost: str
    conditions: dict[str, re.Pattern[str]]
    levels: dict[str, re.Pattern[str]]
    script_words: re.Pattern[str]
    site: re.Pattern[str]
    site_status: dict[str, re.Pattern[str]]
    site_capacity: re.Pattern[str]
    background_sections: re.Pattern[str]
    threshold: re.Pattern[str]
    site_types: dict[str, re.Pattern[str]]
    # doubts (bot/policy/doubts.py): instruction-like lines (with the question side's
    # injection_pattern), links, phone numbers, the outlier rule
    instruction: re.Pattern[str]
    link: re.Pattern[str]
    phone: re.Pattern[str]
    outlier_factor: float
    outlier_min_figures: int
    chrome: ChromeWords
    lead_label: re.Pattern[str]
    requirement: re.Pattern[str]
    application_sections: re.Pattern[str]
    scope_exception: re.Pattern[str]
    office_task: re.Pattern[str]
    full_text: re.Pattern[str]
    site_header: re.Pattern[str]
    question_heading: re.Pattern[str]
    site_suffix: re.Pattern[str]
    quantities: dict[str, Quantity] = field(default_factory=dict)  # the lexicon's ``quantities`` (minimums)
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    def statement(self, heading: str) -> str:
        """A 问答 heading as the name of what it answers ("拍摄补贴的标准是多少？" → 拍摄补贴,
        "企业落户有什么支持？" → 企业落户支持); other headings as they are."""
        if not heading.rstrip().endswith(("？", "?")):
            return heading
        name = _stripped(self.question_heading, heading.strip(), "，, ")  # (the mark first, then its words)
        return name if len(name) >= 2 else ""

    def called(self, site: str) -> list[str]:
        """How people call a filming site: its name, and without the generic tail
        ("米轨小火车沿线取景点" → 米轨小火车) when three characters or more are left."""
        name = re.sub(r"（[^）]*）$", "", site).strip()
        return list(dict.fromkeys(n for n in (name, _stripped(self.site_suffix, name)) if len(n) >= 3))

    def figure(self, text: str) -> re.Match[str] | None:
        """The sum (else the share) ``text`` states, if any."""
        return self.money.search(text) or self.ratio.search(text)

    @classmethod
    def load(cls, knowledge_dir: Path) -> OnboardingWords:
        path = knowledge_dir / "lexicon.yaml"
        try:
            lexicon = yaml.safe_load(path.read_text(encoding="utf-8"))
            data = lexicon["onboarding"]
            rx = re.compile
            return cls(
                status={str(k): tuple(str(w) for w in v) for k, v in data["status"].items()},
                title_words=tuple(data["title_words"]),
                doc_number=rx(data["doc_number"]),
                validity=rx(data["validity"]),
                office_suffixes=tuple(data["office_suffixes"]),
                office_stops=tuple(data["office_stops"]),
                issuer_suffixes=tuple(data["issuer_suffixes"]),
                trailer={str(k): rx(v) for k, v in data["trailer"].items()},
                grant=rx(data["grant"]),
                no_grant=rx(data["no_grant"]),
                service=rx(data["service"]),
                action=rx(data["action"]),
                preamble=rx(data["preamble"]),
                fund=rx(data["fund"]),
                free=rx(data["free"]),
                money=rx(data["money"]),
                ratio=rx(data["ratio"]),
                cap=rx(data["cap"]),
                duration=rx(data["duration"]),
                one_off=str(data["one_off"]),
                case_by_case=str(data["case_by_case"]),
                actual_cost=str(data["actual_cost"]),
                conditions={str(k): rx(v) for k, v in data["conditions"].items()},
                levels={str(k): rx(v) for k, v in data["levels"].items()},
                script_words=rx(data["script_words"]),
                site=rx(data["site"]),
                site_status={str(k): rx(v) for k, v in data["site_status"].items()},
                site_capacity=rx(data["site_capacity"]),
                background_sections=rx(data["background_sections"]),
                threshold=rx(data["threshold"]),
                # the answer path's site kinds (sites.yaml `type`), reused for drafted sites
                site_types={str(k): rx("|".join(re.escape(str(w)) for w in v))
                            for k, v in (lexicon.get("site_types") or {}).items()},
                instruction=rx(f"(?:{data['doubts']['instruction']})|(?:{lexicon['injection_pattern']})"),
                link=rx(data["doubts"]["link"], re.I),
                phone=rx(data["doubts"]["phone"]),
                outlier_factor=float(data["doubts"]["outlier_factor"]),
                outlier_min_figures=int(data["doubts"]["outlier_min_figures"]),
                chrome=ChromeWords.from_section(data["chrome"]),
                lead_label=rx(data["lead_label"]),
                requirement=rx(data["requirement"]),
                application_sections=rx(data["application_sections"]),
                scope_exception=rx(data["scope_exception"]),
                office_task=rx(data["office_task"]),
                full_text=rx(data["full_text"]),
                site_header=rx(data["site_header"]),
                question_heading=rx(data["question_heading"]),
                site_suffix=rx(data["site_suffix"]),
                quantities=load_quantities(lexicon.get("quantities")),
                raw=data,
            )
        except (OSError, yaml.YAMLError, KeyError, TypeError, re.error) as exc:
            raise KnowledgeError(f"{path}: the onboarding section is missing or malformed ({exc!r})") from exc


@dataclass
class Detected:
    """Front-matter fields found in a text; ``missing`` names those it does not state."""

    title: str = ""
    issuer: str = ""
    doc_number: str = ""
    date: str = ""
    status: DocStatus = DocStatus.FINAL
    status_reason: str = ""
    validity: str = ""
    offices: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


# --------------------------------------------------------------------- the body
def cleaned_body(parsed: ParsedFile, title: str, words: OnboardingWords) -> str:
    """The cleaned copy's body: the title as a ``# `` line, one paragraph per line with
    blank lines between (a "（1）" sub-list stays with its item), and the document's tail
    (抄送, 落款, 附件) under section marks so it does not run into the last numbered clause."""
    lines = parsed.text.splitlines()
    tail_start = _tail_start(lines, words)
    # a page that republishes a text in full ("以下为文件全文"): what comes before is the
    # page's own preface (a summary, 划重点), read but never drafted as the text's measures
    full = next((i for i, line in enumerate(lines[:40]) if words.full_text.fullmatch(line.strip())), None)
    out: list[str] = ["<!-- section: 导读 -->"] if full is not None else []
    title_done = False
    for i, line in enumerate(lines):
        if i == full:
            continue  # the marker line itself
        if i == tail_start:
            out.append(f"<!-- section: {_tail_name(lines[tail_start:], words)} -->")
        if not title_done and title and line == title and (full is None or i > full):
            out.append(f"# {line}")
            title_done = True
            continue
        if SUB_ITEM.match(line) and out and (ITEM.match(out[-1]) or SUB_ITEM.match(out[-1].split("\n")[-1])):
            out[-1] += "\n" + line
            continue
        out.append(line)
    return "\n\n".join(out) + "\n"


def _tail_start(lines: list[str], words: OnboardingWords) -> int | None:
    """Index of the first line of the document's tail (after the last numbered clause)."""
    last_marker = max((i for i, line in enumerate(lines) if MARKER.match(line)), default=-1)
    for i in range(last_marker + 1, len(lines)):
        if any(p.search(lines[i]) for p in words.trailer.values()) or _is_signature(lines[i], words):
            return i
    return None


def _tail_name(tail: list[str], words: OnboardingWords) -> str:
    for name, pattern in words.trailer.items():
        if pattern.search(tail[0]):
            return name
    return "落款"


def _is_signature(line: str, words: OnboardingWords) -> bool:
    """A line that is only an issuing body or only a date (the signature block)."""
    bare = re.sub(r"\s+", "", line)
    return bool(DATE.fullmatch(bare) or (len(bare) <= 30 and bare.endswith(words.issuer_suffixes)
                                         and not re.search(r"[，。：；]", bare)))


# ---------------------------------------------------------------- front matter
def detect(parsed: ParsedFile, words: OnboardingWords) -> Detected:
    """Title, issuer, 文号, date, status, validity and offices as the text states them."""
    lines = parsed.text.splitlines()
    found = Detected()
    found.title = _title(parsed, lines, words)
    found.doc_number = _doc_number(parsed, lines, words, found.title)
    note = _issue_note(lines, words)
    found.issuer = note[0] or _issuer(parsed, lines, words, found.title)
    found.date = note[1] or _date(parsed, lines, words)
    found.status, found.status_reason = _status(found.title, parsed.text, found.doc_number, words)
    found.validity = _validity(lines, words)
    found.offices = _offices(parsed.text, words)
    for name in ("title", "issuer", "doc_number", "date", "validity"):
        if not getattr(found, name):
            found.missing.append(name)
    return found


# a note under the title saying who issued it and when:
# "（2026年2月26日某某管理委员会印发　某发〔2026〕5号）"
ISSUE_NOTE = re.compile(r"^[（(]\s*(?:(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*)?([^（）()，。]{4,40}?)"
                        r"(?:印发|发布|公布|修订)")


def _issue_note(lines: list[str], words: OnboardingWords) -> tuple[str, str]:
    """(issuer, date) from a note under the title, if the text has one."""
    for line in lines[:8]:
        if (m := ISSUE_NOTE.match(line.strip())) and m.group(2).strip().endswith(words.issuer_suffixes):
            date = DATE.search(re.sub(r"\s+", "", m.group(1) or ""))
            return m.group(2).strip(), _iso(date.groups()) if date else ""
    return "", ""


def _doc_number(parsed: ParsedFile, lines: list[str], words: OnboardingWords, title: str = "") -> str:
    """The text's own 文号: a line of its own near the top, a running header that
    repeats it, a note under the title — never the 文号 of a text it cites (《…》（…号）)."""
    own = next((ln.strip() for ln in lines[:12] if words.doc_number.fullmatch(ln.strip())), "")
    if own:
        return own
    furniture = parsed.hints.get("furniture", "").splitlines()
    if own := next((ln for ln in furniture if words.doc_number.fullmatch(ln)), ""):
        return own
    if (hint := parsed.hints.get("doc_number", "")) and words.doc_number.fullmatch(hint):
        return hint
    for line in lines[:12] + lines[-8:]:
        for m in words.doc_number.finditer(line):
            before = line[:m.start()]
            named = re.search(r"《([^《》]+)》\s*[（(]?$", before)
            if named and title and named.group(1) in title:
                # "印发《X》（X文旅〔2026〕8号）" in the text titled X, or in "《X》政策解读": the number
                # of the text it is (or that it explains)
                return m.group(0).strip()
            if not re.search(r"》\s*[（(]?$|(?:根据|依据|按照|落实|贯彻)[^，。]{0,30}$", before):
                return m.group(0).strip()
    return ""


def _title(parsed: ParsedFile, lines: list[str], words: OnboardingWords) -> str:
    candidates = [h for h in parsed.headings if not MARKER.match(h)]
    # a body line may be the title unless it reads as a sentence or a lead-in ("…如下：")
    # or is a 红头 letterhead ("某某局文件", the issuer's name, not the text's)
    candidates += [ln for ln in lines[:12] if len(ln) <= 80 and not re.search(r"[。；：:]$|，", ln)
                   and not MARKER.match(ln) and not ln.endswith("文件")]
    if parsed.hints.get("title"):
        candidates.insert(0, parsed.hints["title"])
    # a text that names itself: "印发《X》…" (or "关于印发《X》的通知") where X stands as a line
    # of its own — the document is X, not the page's headline or the covering notice
    bare = {ln.strip().lstrip("#").strip() for ln in lines}
    for line in lines[:15]:
        for inner in re.findall(r"《([^《》]{4,60})》", line):
            if inner in bare and any(w in inner for w in words.title_words):
                return inner
    titled = [c for c in dict.fromkeys(candidates) if any(w in c for w in words.title_words)]
    # "关于印发《X》的通知" wraps the document itself: the title is X when X is a line
    for c in titled:
        for inner in re.findall(r"《([^》]+)》", c):
            if inner in lines:
                return inner
    return titled[0] if titled else (candidates[0] if candidates else "")


def _issuer(parsed: ParsedFile, lines: list[str], words: OnboardingWords, title: str = "") -> str:
    """The issuing body when no note under the title names it: the signature (not the
    office that printed it: "某某办公室 2026年3月20日印发"), the body that a "X关于…"
    title names, the letterhead ("X文件"), the page's publisher."""
    signature = []
    tail = _tail(lines, words)
    for i, line in enumerate(tail):
        if any(_printing(x, words) for x in tail[i:i + 2]) or words.trailer["抄送"].search(line):
            continue  # the printing office ("某某办公室 / 2026年3月20日印发") and the 抄送 line
        for part in re.split(r"\s{2,}|\u3000+", line.strip()):
            bare = part.strip()
            if _is_signature(bare, words) and not DATE.fullmatch(bare) and bare not in signature:
                signature.append(bare)
    if signature:
        return "、".join(signature)
    for text in (title, *lines[:6]):
        if (m := re.match(r"^[#\s]*([\u4e00-\u9fff、]{4,40}?)关于", text or "")) and m.group(1).endswith(words.issuer_suffixes):
            return m.group(1)
    head = next((ln for ln in lines[:5] if ln.endswith("文件")), "")
    if head:
        return head[:-2]
    return parsed.hints.get("issuer") or parsed.hints.get("publisher", "")


def _signed_at(lines: list[str], words: OnboardingWords) -> int | None:
    """The line of the last date signed under an office's name ("某某局 / 2026年7月8日")."""
    return next((i for i in range(len(lines) - 1, 0, -1) if DATE.fullmatch(re.sub(r"\s+", "", lines[i]))
                 and _is_signature(re.sub(r"\s+", "", lines[i - 1]), words)), None)


def _tail(lines: list[str], words: OnboardingWords) -> list[str]:
    """The lines that end the text itself: its last twelve — or, when the page goes on
    after the signature (a 公众号 article's list of places, its 往期推荐), the twelve that end
    with the last date signed under an office's name, and the 抄送/印发 lines after it."""
    i = _signed_at(lines, words)
    if i is None or i >= len(lines) - 12:
        return lines[-12:]
    after = [ln for ln in lines[i + 1:i + 4] if words.trailer["抄送"].search(ln) or _printing(ln, words)]
    return lines[max(0, i - 11):i + 1] + after


def _printing(line: str, words: OnboardingWords) -> bool:
    """The line of the office that printed the text ("…办公室 2026年3月20日印发")."""
    return bool(words.trailer["印发"].search(re.sub(r"\s+", "", line)))


def _date(parsed: ParsedFile, lines: list[str], words: OnboardingWords) -> str:
    """The date the text was signed (落款): the date under the signature, before the
    printing office's "…2026年6月11日印发" line, which is only the fallback."""
    tail = list(reversed(_tail(lines, words)))
    for line in [*(t for t in tail if not _printing(t, words)), *(t for t in tail if _printing(t, words))]:
        bare = re.sub(r"\s+", "", line)
        m = DATE.search(bare)
        if m and (bare.endswith(("日", "日印发", "日发布")) and len(bare) - len(m.group(0)) <= 30):
            return _iso(m.groups())
    for line in lines[:12]:
        if m := DATE.fullmatch(line.strip()):
            return _iso(m.groups())
    if m := ISO_DATE.search(parsed.hints.get("date", "")):
        return _iso(m.groups())
    return ""


def _iso(parts: tuple[str, ...]) -> str:
    year, month, day = parts
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def _status(title: str, text: str, doc_number: str, words: OnboardingWords) -> tuple[DocStatus, str]:
    # a page whose text is signed (an office's name over a date) carries the text itself, not
    # a report on it: a report's words in its lead ("近日，…") do not make it one
    signed = _signed_at(text.splitlines(), words) is not None
    for where, haystack in (("标题", title), ("正文", text[:400])):
        for status, cues in words.status.items():
            cue = next((c for c in cues if c in haystack), None)
            if cue and not (signed and where == "正文" and status == DocStatus.NEWS.value):
                return DocStatus(status), f"{where}含“{cue}”"
    if doc_number:
        return DocStatus.FINAL, f"有文号{doc_number}"
    return DocStatus.FINAL, "未见征求意见稿/试行/指南/新闻等字样，按正式文件处理"


def _validity(lines: list[str], words: OnboardingWords) -> str:
    found = []
    for line in lines:
        for sentence in re.split(r"(?<=[。；])", line):
            if words.validity.search(sentence):
                found.append(re.sub(r"^" + MARKER.pattern, "", sentence).strip().rstrip("。；"))
    return "；".join(dict.fromkeys(found))


def _offices(text: str, words: OnboardingWords) -> list[str]:
    """Offices the text names (服务专窗, 服务中心, 局, 科, 管委会 …) in sentences that give
    them a task or send applicants to them (受理, 负责, 咨询 …) — never the 抄送 or 印发
    lines — each cut at the word before it (在/由/向/设在 …); quoted names first."""
    sentences = [s for line in text.splitlines() if not words.trailer["抄送"].search(line)
                 and not _printing(line, words)
                 for s in re.split(r"(?<=[。；！？])", line) if words.office_task.search(s)]
    text = "\n".join(sentences)
    names: list[str] = []
    for m in re.finditer(r"“([^”]{3,24})”", text):
        if m.group(1).endswith(words.office_suffixes):
            names.append(m.group(1))
    suffixes = "|".join(re.escape(s) for s in sorted(words.office_suffixes, key=len, reverse=True))
    for m in re.finditer(rf"[\u4e00-\u9fff]{{2,24}}?(?:{suffixes})", text):
        name = m.group(0)
        if re.match(r"[\d一二三四五六七八九十]+(?:楼|层|室)", text[m.end():]):
            continue  # "园区服务中心3楼": a building in an address, not an office
        for stop in sorted(words.office_stops, key=len, reverse=True):
            if stop in name:
                name = name[name.rindex(stop) + len(stop):]
        # an office is a place's office: 县文化旅游体育局, 黟县人民政府办公室, 市财政局
        if len(name) >= 4 and re.search(r"[县市区省州]", name[:4]) and not any(name in n for n in names):
            names.append(name)
    names = list(dict.fromkeys(names))
    # "市财政局" and "常德市财政局" are one office: the full name stays
    names = [n for n in names if not any(o != n and o.endswith(n) for o in names)]
    counts = {n: text.count(n) for n in names}
    return sorted(names, key=lambda n: (-counts[n], names.index(n)))[:6]
