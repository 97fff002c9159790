"""Streaming for the Gradio chat when an LLM writes the answers: the reply grows as the
text is written; the last update is the checked answer (replacing the streamed text if it
failed the guard) rendered as every answer is (Markdown, tables, [n] links), with its
sources. Kept apart from ui.py's component building."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Protocol

import gradio as gr

from bot.answer.service import FinalAnswer, StreamEvent
from bot.errors import InvalidQuestion, StoreError
from bot.web.render import answer_html, sources_html

UNAVAILABLE = "索引暂时不可用，请稍后再试。"


class Streams(Protocol):
    """A :class:`~bot.web.provider.BotProvider` (the live index) or a PolicyBot."""

    def ask_stream(self, question: str, **options) -> Iterator[StreamEvent]: ...


MAX_TURNS = 30  # turns a chat session keeps (what the page shows, and their records)


def room_for_one_more(history: list, records: list) -> tuple[list, list]:
    """The newest turns, leaving room for one more within ``MAX_TURNS``: two chat messages
    and one record each, so a 👍 on a shown message still finds its record."""
    keep = MAX_TURNS - 1
    return history[-2 * keep:], records[-keep:]


def prior_turns(records: list) -> list[dict]:
    """The last three answered turns as history: each question and its answer's short
    ``history_turn`` (a refused question left no record)."""
    prior = []
    for record in [r for r in records[-3:] if r]:
        prior += [{"role": "user", "content": record["question"]}, record["answer"]["history_turn"]]
    return prior


def stream_reply(source: Streams, message: str, history: list, region: str | None, records: list,
                 request: gr.Request | None, text=None) -> Iterator[tuple]:
    """The chat handler's outputs (chatbot, sources, textbox, records), once per delta.
    ``text``: the page's :class:`~bot.web.render.PageText` (the sources panel's wording)."""
    message = (message or "").strip()
    if not message:
        yield history, gr.update(), "", records
        return
    history, records = room_for_one_more(history, records)
    asked = [*history, {"role": "user", "content": html.escape(message)}]
    try:
        events = source.ask_stream(message, region=region, history=prior_turns(records))
    except InvalidQuestion as exc:
        yield [*asked, {"role": "assistant", "content": html.escape(str(exc))}], gr.update(), "", [*records, None]
        return
    except StoreError:
        yield [*asked, {"role": "assistant", "content": UNAVAILABLE}], gr.update(), "", [*records, None]
        return
    panel = (text("no_citations"), text("quote_toggle")) if text is not None else ()
    shown = ""
    for event in events:
        if isinstance(event, FinalAnswer):
            answer = event.answer
            origin = request.headers.get("origin") or request.headers.get("referer") if request else None
            record = {"question": message, "answer": answer.public(), "origin": origin}
            # a replaced stream already ends with the service's note
            note = text("extractive_note") if text is not None and not event.replaced else ""
            yield ([*asked, {"role": "assistant", "content": answer_html(answer, note)}],
                   sources_html(answer.citations, *panel), "", [*records, record])
            return
        shown += event.text
        yield [*asked, {"role": "assistant", "content": html.escape(shown).replace("\n", "<br>")}], gr.update(), "", records
