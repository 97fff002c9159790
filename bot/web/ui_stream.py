"""Streaming for the Gradio chat when an LLM writes the answers: the reply grows as the
text is written; the last update is the checked answer (replacing the streamed text if it
failed the guard) with its sources. Kept apart from ui.py's component building."""

from __future__ import annotations

import html
from collections.abc import Iterator

import gradio as gr

from bot.answer.service import FinalAnswer, PolicyBot
from bot.errors import InvalidQuestion
from bot.web.render import answer_html, sources_html


def stream_reply(bot: PolicyBot, message: str, history: list, region: str | None, records: list,
                 request: gr.Request | None) -> Iterator[tuple]:
    """The chat handler's outputs (chatbot, sources, textbox, records), once per delta."""
    message = (message or "").strip()
    if not message:
        yield history, gr.update(), "", records
        return
    prior = []
    for record in [r for r in records[-3:] if r]:
        prior += [{"role": "user", "content": record["question"]},
                  {"role": "assistant", "content": record["answer"]["answer"]}]
    asked = [*history, {"role": "user", "content": html.escape(message)}]
    try:
        events = bot.ask_stream(message, region=region, history=prior)
    except InvalidQuestion as exc:
        yield [*asked, {"role": "assistant", "content": html.escape(str(exc))}], gr.update(), "", [*records, None]
        return
    shown = ""
    for event in events:
        if isinstance(event, FinalAnswer):
            answer = event.answer
            origin = request.headers.get("origin") or request.headers.get("referer") if request else None
            record = {"question": message, "answer": answer.public(), "origin": origin}
            yield ([*asked, {"role": "assistant", "content": answer_html(answer)}], sources_html(answer.citations),
                   "", [*records, record])
            return
        shown += event.text
        yield [*asked, {"role": "assistant", "content": html.escape(shown).replace("\n", "<br>")}], gr.update(), "", records
