"""👍/👎 feedback stored with SQLAlchemy (SQLite in the data dir by default; any URL works)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


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
    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url)
        Base.metadata.create_all(self.engine)

    def add(self, **fields) -> int:
        with Session(self.engine) as session:
            row = Feedback(**fields)
            session.add(row)
            session.commit()
            return row.id

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
