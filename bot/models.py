"""Domain types shared by every stage: documents, clauses, citations, answers."""

from __future__ import annotations

import hashlib
from enum import StrEnum

from pydantic import BaseModel, Field

from bot.conversation import HistoryUse, history_turn


class DocStatus(StrEnum):
    """What kind of text a document is: decides the caveats answers carry."""

    FINAL = "正式文件"
    TRIAL = "试行"
    DRAFT = "征求意见稿"
    NEWS = "新闻报道"
    PRESS = "新闻发布会"
    ARTICLE = "研究文章"
    GUIDE = "申报指南"
    INTERPRETATION = "政策解读"  # a bureau's explanation of a policy (问答, 一图读懂), not its text


class PolicyDocument(BaseModel):
    """A cleaned policy text with its front matter (``knowledge/docs/*.md``)."""

    id: str
    title: str
    issuer: str
    region: dict[str, str]
    region_key: str
    date: str
    status: DocStatus
    validity: str
    source: str
    offices: list[str] = Field(default_factory=list)
    doc_number: str = ""  # 文号, e.g. 黟政办〔2026〕12号
    supersedes: str | None = None  # the id of the version this one replaces
    superseded_by: str | None = None  # set on a replaced version: kept on record, not answered from
    body: str = ""

    @property
    def is_draft(self) -> bool:
        return self.status is DocStatus.DRAFT

    @property
    def is_current(self) -> bool:
        """False for a version another document replaces (kept on record only)."""
        return not self.superseded_by


class Clause(BaseModel):
    """One retrievable unit: a clause (or a sentence-aligned part of a long one)."""

    chunk_id: str  # unique: clause_id, plus "#2", "#3" for parts of a long clause
    clause_id: str  # e.g. "pingyuan-draft:三(一)"
    label: str  # e.g. "三(一)"
    clause: str  # readable clause name, e.g. "三、实施措施 › （一）支持取景拍摄"
    heading_path: list[str]
    text: str  # verbatim text of the cleaned copy
    region: str
    doc_id: str
    title: str
    status: str
    validity: str
    source: str

    @property
    def context(self) -> str:
        """What gets embedded and BM25-indexed: headings give a clause its topic."""
        return "\n".join([self.title, *self.heading_path, self.text])

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.context.encode("utf-8")).hexdigest()[:16]


class Citation(BaseModel):
    n: int
    doc_id: str
    title: str
    clause_id: str
    clause: str
    quote: str
    status: str


class AnswerTable(BaseModel):
    """A table answer as data (the answer text carries it as Markdown too): the web chat
    renders it as a table, the widget as cards. ``citations[i]`` is row i's citation."""

    title: str | None = None
    columns: list[str]
    rows: list[list[str]]
    citations: list[int]


class Generation(BaseModel):
    """What the optional LLM composer did for one answer (logs, evals, /api/health counts).

    ``outcome``: ``passed`` (the generated text is the answer), ``guard_failed`` or
    ``error`` (the extractive answer replaced it), ``skipped`` (not sent: the stages
    judged the question not covered, declined it, or it is a kind kept extractive)."""

    backend: str
    outcome: str
    problems: list[str] = Field(default_factory=list)
    llm_ms: float = 0.0
    text: str = ""  # what the model wrote (renumbered), shown or not: for reviewing fallbacks


class Answer(BaseModel):
    """The one result type every surface (CLI, API, UI, evals) returns."""

    id: str | None = None
    question: str
    answer: str
    answerable: bool
    citations: list[Citation] = Field(default_factory=list)
    region: str | None = None
    latency_ms: float = 0.0
    kind: str = "answer"  # the composer that answered (table, sites, clauses, decline …)
    table: AnswerTable | None = None
    assumed: dict[str, str] = Field(default_factory=dict)  # context carried over (follow-ups)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    retrieved: list[str] = Field(default_factory=list)  # clause ids in retrieval order (evals)
    composer: str = "extractive"  # "extractive", or the LLM backend that wrote the text
    generation: Generation | None = None  # set when an LLM backend is configured
    # What the server kept of the history sent with the question (None: none was sent).
    history_used: HistoryUse | None = None
    checks: list[str] = Field(default_factory=list)  # shape problems the check stage found (logged, counted)
    explain: dict | None = None  # with explain=True: the frame, route, findings, checks, stage timings

    @property
    def history_turn(self) -> dict:
        """The assistant turn a client sends back for this answer in the next question's
        history: the answer's opening and the clause ids it cited, never the whole text."""
        return history_turn(self.answer, [c.clause_id for c in self.citations])

    def public(self) -> dict:
        """The JSON contract of `bot ask --json` and `POST /api/ask`."""
        public = self.model_dump(
            include={"id", "question", "answer", "answerable", "citations", "region", "latency_ms", "table",
                     "history_used", "generation"}
        ) | {"history_turn": self.history_turn}
        return public | ({"explain": self.explain} if self.explain is not None else {})
