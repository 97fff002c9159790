"""Text cleaning for the policy sources, and the fidelity check that guards it.

The project's cleaned copies (``knowledge/docs/*.md``) are edited by hand from the
originals: broken lines joined, OCR doubling removed, page furniture dropped and
newspaper paragraphs put back in reading order.  Cleaning must never change wording,
so :func:`unfaithful_sentences` checks that every sentence of a cleaned body occurs in
its original once both are normalised (whitespace, punctuation, OCR doubling).

Standard library only: this module also runs as a script
(``python -m bot.ingest.clean knowledge/docs/x.md``) before the virtualenv exists.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
# A sentence of a cleaned copy may join at most this many runs of the original: a
# newspaper layout can cut one sentence across two blocks (002: "取景" | "地”三级").
MAX_PIECES = 2
MAX_RUN = 32


def visible_text(text: str) -> str:
    """``text`` without invisible format characters (Unicode category Cf: zero-width
    spaces and joiners, bidi controls, soft hyphens, BOM). Typed or pasted inside a word
    ("衢\u200b江") they change which words are found, never what a reader sees."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def undouble_line(line: str) -> str:
    """Undo OCR doubling when the whole line is made of doubled runs.

    ``到到20272027年年`` → ``到2027年``.  A line that cannot be read entirely as
    ``XX YY ZZ …`` is returned unchanged, so ordinary text ("100亿元") is never touched.
    Runs are at most ``MAX_RUN`` characters (OCR doubles a glyph or a short number);
    the parse runs from the end of the line, so a page-long line cannot exhaust the
    stack.
    """
    s = line.strip()
    n = len(s)
    if n < 4:
        return line
    # run[i]: the length of the first run of a parse of s[i:], or 0 when none exists.
    run = [0] * (n + 1)
    parsed = [False] * (n + 1)
    parsed[n] = True
    for i in range(n - 1, -1, -1):
        for size in range(1, min(MAX_RUN, (n - i) // 2) + 1):
            if parsed[i + 2 * size] and s[i : i + size] == s[i + size : i + 2 * size]:
                run[i], parsed[i] = size, True
                break
    if not parsed[0]:
        return line
    runs, i = [], 0
    while i < n:
        runs.append(s[i : i + run[i]])
        i += 2 * run[i]
    return "".join(runs)


def normalize_for_match(text: str) -> str:
    """NFKC, OCR undoubling per line, then drop whitespace, punctuation and symbols."""
    text = "\n".join(undouble_line(line) for line in text.splitlines())
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(
        c for c in text if not c.isspace() and unicodedata.category(c)[0] not in "PS"
    )


def tidy_spacing(text: str) -> str:
    """Remove layout spaces a PDF left between CJK characters and inside numbers."""
    cjk = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’]"
    text = re.sub(rf"(?<={cjk})[ \t]+(?={cjk})", "", text)
    text = re.sub(r"(?<=\d)[ \t]+(?=\d)", "", text)
    text = re.sub(rf"(?<=\d)[ \t]+(?={cjk})|(?<={cjk})[ \t]+(?=\d)", "", text)
    return text


def split_sentences(text: str) -> list[str]:
    """Split Chinese text at sentence ends (。！？；), keeping the punctuation."""
    parts: list[str] = []
    for line in text.splitlines():
        parts.extend(p.strip() for p in SENTENCE_END.split(line))
    return [p for p in parts if p]


def _pieces(sentence: str, original: str) -> int:
    """Fewest runs of ``original`` that concatenate to ``sentence`` (greedy is optimal)."""
    i, count = 0, 0
    while i < len(sentence):
        lo, hi = i + 1, len(sentence)
        if sentence[i] not in original:
            return 10**6
        while lo < hi:  # longest prefix of sentence[i:] that occurs in original
            mid = (lo + hi + 1) // 2
            if sentence[i:mid] in original:
                lo = mid
            else:
                hi = mid - 1
        i, count = lo, count + 1
    return count


def body_of(markdown: str) -> str:
    """The text of a cleaned copy without front matter, heading marks and editorial marks."""
    markdown = re.sub(r"<!--.*?-->", "", markdown, flags=re.S)
    if markdown.startswith("---"):
        parts = markdown.split("\n---", 1)
        markdown = parts[1].split("\n", 1)[1] if len(parts) == 2 else ""
    return "\n".join(re.sub(r"^#+\s*", "", line) for line in markdown.splitlines())


def unfaithful_sentences(cleaned_markdown: str, original: str) -> list[str]:
    """Sentences of a cleaned copy that are not in its original (empty list = faithful)."""
    source = normalize_for_match(original)
    bad = []
    for sentence in split_sentences(body_of(cleaned_markdown)):
        norm = normalize_for_match(sentence)
        if norm and _pieces(norm, source) > MAX_PIECES:
            bad.append(sentence)
    return bad


def main(argv: list[str]) -> int:
    """Check cleaned copies against their originals (``source:`` in the front matter)."""
    status = 0
    for name in argv:
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        match = re.search(r"^source:\s*(\S+)", text, re.M)
        if not match:
            print(f"{path}: no 'source:' in front matter")
            status = 1
            continue
        original = (path.parent.parent / "originals" / match.group(1)).read_text(encoding="utf-8")
        bad = unfaithful_sentences(text, original)
        for sentence in bad:
            print(f"{path}: not in original: {sentence}")
        print(f"{path}: {'OK' if not bad else f'{len(bad)} unfaithful sentence(s)'}")
        status |= bool(bad)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
