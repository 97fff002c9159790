"""👍/👎 feedback stored with SQLAlchemy (SQLite in the data dir by default; any URL works).

A store that cannot be opened or written raises :class:`FeedbackUnavailable` with a
message fit for users (the SQL and the driver's words go to the log only); the web app
then runs without feedback instead of failing.

What a vote stores comes from the server, never from the client: :class:`RecentAnswers`
keeps the answers this process gave (by a random ``answer_id``, for an hour), and a vote
names only that id, 👍 or 👎 and a short comment. :class:`FeedbackBudget` caps how many
rows one address may add a day and all addresses together an hour (429 beyond), so
nobody can fill the database.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path

from limits import RateLimitItemPerDay, RateLimitItemPerHour
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter
from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text, create_engine, event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from bot.errors import BotError, FeedbackUnavailable
from bot.models import Answer

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
            log.error("feedback not saved: %s", _reason(exc))  # one line: no SQL, no user text
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


class UnknownAnswer(BotError):
    """A vote names an answer this server did not give (or gave over an hour ago)."""


class OverBudget(BotError):
    """Too many votes from one address today, or from everyone this hour."""


class RecentAnswers:
    """The answers this process gave lately, by a random id: what a vote refers to.

    Bounded in count and age (oldest first out), so memory stays flat whatever the
    traffic; an answer is stored as the feedback row needs it (text, flag, citations)."""

    def __init__(self, capacity: int = 2000, ttl_seconds: float = 3600.0) -> None:
        self.capacity, self.ttl = capacity, ttl_seconds
        self._answers: OrderedDict[str, tuple[float, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, answer: Answer) -> str:
        answer_id = secrets.token_urlsafe(12)
        fields = {"question": answer.question, "answer": answer.answer, "answerable": answer.answerable,
                  "citations": [c.model_dump() for c in answer.citations], "region": answer.region}
        now = time.monotonic()
        with self._lock:
            self._answers[answer_id] = (now, fields)
            while self._answers and (len(self._answers) > self.capacity
                                     or now - next(iter(self._answers.values()))[0] > self.ttl):
                self._answers.popitem(last=False)
        return answer_id

    def get(self, answer_id: str) -> dict:
        with self._lock:
            entry = self._answers.get(answer_id)
        if entry is None or time.monotonic() - entry[0] > self.ttl:
            raise UnknownAnswer("这条回答已过期或不存在，无法评价；请重新提问后再评价 / "
                                "unknown or expired answer_id: ask again, then rate the new answer")
        return dict(entry[1])

    def __len__(self) -> int:
        return len(self._answers)


class FeedbackBudget:
    """Rows one address may add per day, and all addresses together per hour."""

    def __init__(self, per_address_per_day: int, per_hour: int) -> None:
        self.address_item = RateLimitItemPerDay(per_address_per_day)
        self.global_item = RateLimitItemPerHour(per_hour)
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    def spend(self, address: str) -> None:
        """Count one row for ``address``; raises :class:`OverBudget` when a budget is used up."""
        if not self.limiter.test(self.global_item, "feedback:all"):
            raise OverBudget("评价太多，请稍后再试 / too much feedback right now, try again later")
        if not self.limiter.hit(self.address_item, f"feedback:{address}"):
            raise OverBudget("今天的评价次数已用完，谢谢！/ daily feedback limit reached for this address")
        self.limiter.hit(self.global_item, "feedback:all")


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
