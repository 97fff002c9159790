"""HTML for answers, the sources panel and the source pages. Everything that comes from a
user or a document is escaped here, once."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import yaml

from bot.models import Answer, Citation, Clause, PolicyDocument

MARKER = re.compile(r"\[(\d+)\]")
_MARKDOWN = None


# What a Markdown renderer downstream (Gradio's chat re-renders the HTML it is given with
# marked, GFM autolinks on) would turn into a link: in text, these become entities that
# look the same but start no link.
LINK_STARTS = [(re.compile(r"\["), "&#91;"), (re.compile(r"\]"), "&#93;"), (re.compile(r"(?<=\w):(?=//)"), "&#58;"),
               (re.compile(r"(?i)\bwww\."), "www&#46;"), (re.compile(r"@"), "&#64;")]
TAG_OR_TEXT = re.compile(r"(<[^>]*>)|([^<]+)")


def _markdown():
    """markdown-it with raw HTML off (so user and source text stay text), tables on and
    links off: the answer's only links are its [n] markers, which point to the source
    page; a link in a document's text (``[点击申报](https://…)``, a bare URL) is text."""
    global _MARKDOWN
    if _MARKDOWN is None:
        from markdown_it import MarkdownIt

        _MARKDOWN = (MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
                     .disable(["link", "image", "autolink"]))
    return _MARKDOWN


def no_live_links(rendered: str) -> str:
    """``rendered`` HTML with every text part defused for a second Markdown pass: brackets,
    ``://``, ``www.`` and ``@`` as entities (the same characters on screen)."""

    def defuse(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1)
        text = m.group(2)
        for pattern, entity in LINK_STARTS:
            text = pattern.sub(entity, text)
        return text

    return TAG_OR_TEXT.sub(defuse, rendered)


@dataclass(frozen=True)
class PageText:
    """What the pages show that depends on the knowledge (examples, placeholder, coverage,
    draft notice) and the pages' own wording (prompts/ui.yaml)."""

    wording: dict[str, str]
    examples: list[str]
    placeholder: str
    regions: str
    documents: int
    drafts: str

    @classmethod
    def load(cls, bot, knowledge_dir: Path, prompts_dir: Path) -> PageText:
        wording = yaml.safe_load((prompts_dir / "ui.yaml").read_text(encoding="utf-8"))
        path = knowledge_dir / "ui.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
        drafts = [d.region_key for d in bot.model.documents.values() if d.is_draft]
        return cls({k: str(v) for k, v in wording.items()}, [str(q) for q in (data or {}).get("examples", [])],
                   str((data or {}).get("placeholder", "")), bot.model.regions.covered(),
                   len(bot.model.documents), "、".join(bot.model.regions.label(r).split("（")[0] for r in drafts))

    def __call__(self, key: str) -> str:
        return self.wording[key].format(regions=self.regions, documents=self.documents, drafts=self.drafts)


def source_url(doc_id: str, clause_id: str) -> str:
    return f"/sources/{quote(doc_id)}#{quote(clause_id, safe='')}"


FALLBACK_OUTCOMES = ("guard_failed", "error")  # the LLM's text was not used: the extractive answer stands


def answer_html(answer: Answer, fallback_note: str = "") -> str:
    """The answer's Markdown as HTML (lists, bold, real tables; raw HTML and links in it stay
    text), with each [n] a link to its clause; ``fallback_note`` under an answer that
    replaced what the LLM wrote (its text failed the guard, or the model failed)."""
    by_n = {c.n: c for c in answer.citations}

    def link(m: re.Match[str]) -> str:
        c = by_n.get(int(m.group(1)))
        if c is None:
            return m.group(0)
        return f'<sup><a href="{source_url(c.doc_id, c.clause_id)}" target="_blank">[{c.n}]</a></sup>'

    rendered = no_live_links(_markdown().render(answer.answer))
    rendered = re.sub(r"&#91;(\d+)&#93;", lambda m: link(MARKER.match(f"[{m.group(1)}]")), rendered)
    rendered = rendered.replace("<table>", '<table class="answer-table">')
    if fallback_note and answer.generation and answer.generation.outcome in FALLBACK_OUTCOMES:
        rendered += f'<p class="extractive-note"><small>{html.escape(fallback_note)}</small></p>'
    return rendered


def status_badge(status: str) -> str:
    cls = "draft" if "征求意见稿" in status else "other"
    return f'<span class="badge {cls}">{html.escape(status)}</span>'


def sources_html(citations: list[Citation], empty: str = "这条回答没有引用条款。", toggle: str = "原文") -> str:
    """The numbered citations; each quote folds behind its number (one click opens it)."""
    if not citations:
        return f'<div class="sources"><p class="muted">{html.escape(empty)}</p></div>'
    items = []
    for c in citations:
        items.append(
            f'<li id="cite-{c.n}"><a href="{source_url(c.doc_id, c.clause_id)}" target="_blank">'
            f"[{c.n}] {html.escape(c.title)}</a> {status_badge(c.status)}"
            f'<div class="clause">{html.escape(c.clause)}</div>'
            f'<details><summary>{html.escape(toggle)}</summary><blockquote>{html.escape(c.quote)}</blockquote></details></li>'
        )
    return '<div class="sources"><ol>' + "".join(items) + "</ol></div>"


SOURCE_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 820px;
       margin: 0 auto; padding: 16px; line-height: 1.8; color: #1f2937; }}
.meta {{ color: #4b5563; font-size: 14px; }}
.badge {{ padding: 1px 6px; border-radius: 4px; background: #e5e7eb; font-size: 13px; }}
.badge.draft {{ background: #fde68a; }}
.clause {{ padding: 6px 10px; margin: 6px 0; border-left: 3px solid transparent; scroll-margin-top: 40px; }}
.clause .id {{ font-size: 12px; color: #9ca3af; }}
.clause:target, .clause.highlight {{ background: #fff3b0; border-left-color: #d97706; }}
</style></head><body>
<p><a href="/">← 返回微短剧政策助手</a></p>
<h1>{title}</h1>
<p class="meta">{badge} 发布：{issuer} · 日期：{date} · 效力：{validity}<br>原始文件：{source}</p>
{warning}
{body}
<script>
(function () {{
  var id = decodeURIComponent(location.hash.slice(1));
  var el = id && document.getElementById(id);
  if (el) {{ el.classList.add("highlight"); el.scrollIntoView(); }}
}})();
</script>
</body></html>"""


def source_page(doc: PolicyDocument, clauses: list[Clause]) -> str:
    """A readable page of a cleaned document, one block per clause, anchored by clause id."""
    blocks = []
    seen: set[str] = set()
    for clause in clauses:
        anchor = f' id="{html.escape(clause.clause_id)}"' if clause.clause_id not in seen else ""
        seen.add(clause.clause_id)
        text = html.escape(clause.text).replace("\n", "<br>")
        blocks.append(f'<div class="clause"{anchor}><span class="id">{html.escape(clause.clause)}</span><br>{text}</div>')
    warning = ('<p><strong>注意：本文件为征求意见稿，尚未正式印发，条款可能调整。</strong></p>' if doc.is_draft else "")
    return SOURCE_PAGE.format(
        title=html.escape(doc.title), badge=status_badge(doc.status), issuer=html.escape(doc.issuer),
        date=html.escape(doc.date), validity=html.escape(doc.validity), source=html.escape(doc.source),
        warning=warning, body="\n".join(blocks),
    )
