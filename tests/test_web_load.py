"""Feedback under concurrency (issue 11, point 7): 1,000 posts at once against a live
server on 127.0.0.1 — every acknowledged vote is a row, and there are exactly 1,000."""

import asyncio
import time

import httpx
from support import serve_app

from bot.config import Settings
from bot.models import Answer
from bot.web.app import create_app

VOTES = 1000


async def _vote_all(url: str, answer_ids: list[str]) -> list[int]:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        async def vote(i: int) -> int:
            r = await client.post(url + "/api/feedback", json={"answer_id": answer_ids[i], "helpful": i % 2 == 0,
                                                               "surface": "widget"})
            return r.status_code

        return await asyncio.gather(*(vote(i) for i in range(VOTES)))


def test_a_thousand_concurrent_votes_are_a_thousand_rows(settings, bot, tmp_path):
    app = create_app(Settings(data_dir=settings.data_dir, database_url=f"sqlite:///{tmp_path / 'fb.db'}",
                              rate_limit_per_minute=10 * VOTES, feedback_per_address_per_day=10 * VOTES,
                              feedback_per_hour=10 * VOTES), bot, with_ui=False)
    # 1,000 answers the server gave (a vote names one by its id)
    answer_ids = [app.state.recent_answers.add(Answer(question=f"问题{i}", answer="…", answerable=True))
                  for i in range(VOTES)]
    with serve_app(app, timeout=30, proxy_headers=False) as url:
        start = time.monotonic()
        codes = asyncio.run(_vote_all(url, answer_ids))
        elapsed = time.monotonic() - start
    rows = app.state.feedback.all()
    assert codes.count(201) == VOTES, {c: codes.count(c) for c in set(codes)}
    assert len(rows) == VOTES and len({r.question for r in rows}) == VOTES
    assert elapsed < 90
    print(f"{VOTES} concurrent votes: {codes.count(201)} acknowledged, {len(rows)} rows in {elapsed:.1f}s")
