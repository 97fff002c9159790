"""👍/👎 feedback stored with SQLAlchemy (SQLite in the data dir by default; any URL works).

A store that cannot be opened or written raises :class:`FeedbackUnavailable` with a
message fit for users (the SQL and the driver's words go to the log only); the web app
then runs without feedback instead of failing.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text, create_engine, event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from bot.errors import FeedbackUnavailable

log = logging.getLogger(__name__)
NOT_SAVED = "评价暂时无法保存，请稍后再试 / feedback could not be saved right now"


class Base(DeclarativeBase):
    pass


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(UTC))
    helpful: Mapped[bool] = mapped_column(Boolean)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    answerable: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    citations: Mapped[list] = mapped_column(JSON, default=list)
    region: Mapped[str | None] = mapped_column(String(64), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    page_origin: Mapped[str | None] = mapped_column(String(512), nullable=True)  # the site that embedded the chat
    surface: Mapped[str] = mapped_column(String(16), default="api")  # web | widget | api


class FeedbackStore:
    available = True

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            if url.startswith("sqlite:///"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(url)
            if url.startswith("sqlite"):
                event.listen(self.engine, "connect", _sqlite_pragmas)
            Base.metadata.create_all(self.engine)
        except (SQLAlchemyError, OSError) as exc:
            log.error("feedback store %s cannot be opened: %s", _safe_url(url), exc)
            raise FeedbackUnavailable(
                f"反馈数据库无法打开（{_safe_url(url)}：{_reason(exc)}） / cannot open the feedback database"
            ) from exc

    def add(self, **fields) -> int:
        try:
            with Session(self.engine) as session:
                row = Feedback(**fields)
                session.add(row)
                session.commit()
                return row.id
        except SQLAlchemyError as exc:
            log.error("feedback not saved: %s", exc)
            raise FeedbackUnavailable(NOT_SAVED) from exc

    def all(self) -> list[Feedback]:
        with Session(self.engine) as session:
            return list(session.scalars(select(Feedback).order_by(Feedback.id)))

    def export_jsonl(self, only_negative: bool = False) -> list[str]:
        """Feedback as eval-dataset lines (id, question, kind, answerable …) for reviewers:
        the bot's answer and the user's comment go into ``notes``; ``facts`` and
        ``gold_clause_ids`` are left for the reviewer to fill from the documents."""
        lines = []
        for row in self.all():
            if only_negative and row.helpful:
                continue
            item = {
                "id": f"fb-{row.id:05d}",
                "question": row.question,
                "kind": "fact" if row.answerable else "unanswerable",
                "region": row.region,
                "gold_clause_ids": [c.get("clause_id") for c in row.citations or []] if row.helpful else [],
                "facts": [],
                "answerable": bool(row.answerable),
                "split": "dev",
                "notes": json.dumps({"helpful": row.helpful, "comment": row.comment, "bot_answer": row.answer,
                                     "page_origin": row.page_origin, "at": row.created_at.isoformat()},
                                    ensure_ascii=False),
            }
            lines.append(json.dumps(item, ensure_ascii=False))
        return lines


def _sqlite_pragmas(connection, _record) -> None:
    """Concurrent writers wait for each other instead of failing with "database is locked";
    WAL with synchronous=NORMAL commits without an fsync per vote and still keeps every
    acknowledged vote if the process is killed."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    try:
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    except Exception:  # a read-only database keeps its journal mode
        pass
    cursor.close()


def _safe_url(url: str) -> str:
    """The URL without a password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "DATABASE_URL"


def _reason(exc: Exception) -> str:
    """The driver's one-line reason ("unable to open database file"), no SQL."""
    original = getattr(exc, "orig", None) or exc
    return str(original).splitlines()[0][:200]


class DisabledFeedback:
    """Stands in for the store when it cannot be opened: every vote says it was not saved."""

    available = False

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def add(self, **fields) -> int:
        raise FeedbackUnavailable(NOT_SAVED)

    def all(self) -> list:
        return []


def open_feedback(url: str) -> FeedbackStore | DisabledFeedback:
    """The feedback store, or a disabled one (with the reason logged) if it cannot open."""
    try:
        return FeedbackStore(url)
    except FeedbackUnavailable as exc:
        log.error("%s — the chat keeps working; 👍/👎 will not be saved", exc)
        return DisabledFeedback(str(exc))
