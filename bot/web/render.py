"""HTML for answers, the sources panel and the source pages. Everything that comes from a
user or a document is escaped here, once."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from bot.models import Answer, Citation, Clause, PolicyDocument

MARKER = re.compile(r"\[(\d+)\]")
EXAMPLES = [
    "在衢江取景有什么补贴？",
    "平原示范区剧本奖励多少？",
    "汉唐商业街项目投资多少？在哪个片区？",
    "郑州“微短剧+”有哪些创作计划？",
    "深圳修订版微短剧扶持措施从哪天开始实施？",
]


def source_url(doc_id: str, clause_id: str) -> str:
    return f"/sources/{quote(doc_id)}#{quote(clause_id, safe='')}"


def answer_html(answer: Answer) -> str:
    """The answer text, escaped, with each [n] a link to its clause."""
    by_n = {c.n: c for c in answer.citations}

    def link(m: re.Match[str]) -> str:
        c = by_n.get(int(m.group(1)))
        if c is None:
            return m.group(0)
        return f'<sup><a href="{source_url(c.doc_id, c.clause_id)}" target="_blank">[{c.n}]</a></sup>'

    text = html.escape(answer.answer)
    return MARKER.sub(link, text).replace("\n", "<br>")


def status_badge(status: str) -> str:
    cls = "draft" if "征求意见稿" in status else "other"
    return f'<span class="badge {cls}">{html.escape(status)}</span>'


def sources_html(citations: list[Citation]) -> str:
    if not citations:
        return '<div class="sources"><p class="muted">这条回答没有引用条款。</p></div>'
    items = []
    for c in citations:
        items.append(
            f'<li id="cite-{c.n}"><a href="{source_url(c.doc_id, c.clause_id)}" target="_blank">'
            f"[{c.n}] {html.escape(c.title)}</a> {status_badge(c.status)}"
            f'<div class="clause">{html.escape(c.clause)}</div>'
            f'<blockquote>{html.escape(c.quote)}</blockquote></li>'
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
