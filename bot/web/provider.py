"""The answer service a running server uses, swapped when a re-index goes live.

``bot ingest`` (another process) switches the live-collection pointer when a new index is
ready (:mod:`bot.index.live`). Every few seconds a request makes the provider look at the
pointer; when it changed, a new :class:`PolicyBot` is built in a background thread and
swapped in with one assignment. Requests in flight keep the service they started with;
the previous collection is kept by the re-index until the next one, and a search that
fails because its collection is gone waits for the reload and asks again.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from bot.answer.service import PolicyBot, StreamEvent
from bot.config import Settings
from bot.errors import StoreError
from bot.index import live
from bot.models import Answer

log = logging.getLogger(__name__)
T = TypeVar("T")


def release_memory() -> None:
    """After a swap, give the previous service's memory back: collect it, then ask glibc
    to return freed pages (without this, RSS grew with every admin edit although only
    one service was alive — freed memory stayed in the allocator's arenas)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


class BotProvider:
    def __init__(self, settings: Settings, bot: PolicyBot,
                 build: Callable[[Settings], PolicyBot] | None = None) -> None:
        self.settings = settings
        self._bot = bot
        self._build = build or (lambda s: PolicyBot.build(s))
        self._seen = self._pointer()
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self._reloaded = threading.Condition(self._lock)
        self._reloading = False
        self.last_error: str | None = None

    @property
    def reloading(self) -> bool:
        return self._reloading

    def _pointer(self) -> str | None:
        return live.live_name(self.settings, self._bot.retriever.store.family)

    def current(self) -> PolicyBot:
        """The service to use for this request (starts a reload if the index moved on)."""
        now = time.monotonic()
        if now - self._checked >= self.settings.index_check_seconds:
            self._checked = now
            self.refresh()
        return self._bot

    def refresh(self) -> bool:
        """Start loading the live index in the background if the pointer moved. True when
        a reload is running (now or already)."""
        pointer = self._pointer()
        with self._lock:
            if self._reloading:
                return True
            if pointer == self._seen or pointer is None:
                return False
            self._reloading = True
        threading.Thread(target=self._reload, args=(pointer,), name="index-reload", daemon=True).start()
        return True

    def _reload(self, pointer: str) -> None:
        try:
            fresh = self._build(self.settings)
            fresh.retriever.store.search("微短剧", 1)  # it answers before it serves
        except Exception as exc:  # keep serving the old index; try again at the next check
            log.error("could not load the new index %s: %s", pointer, exc)
            self.last_error = str(exc)
            fresh = None
        with self._lock:
            if fresh is not None:
                self._bot, self._seen, self.last_error = fresh, pointer, None
                log.warning("now serving index %s", fresh.retriever.store.name)
            self._reloading = False
            self._reloaded.notify_all()
        del fresh
        release_memory()

    def adopt(self, bot: PolicyBot) -> None:
        """Serve ``bot`` from now on: a service this process built after re-indexing itself
        (the admin page's publish / remove), so there is nothing to reload."""
        with self._lock:
            # a reload started earlier (by another process's re-index) must not land after it
            self._reloaded.wait_for(lambda: not self._reloading, timeout=120)
            self._bot, self.last_error = bot, None
            self._seen = live.live_name(self.settings, bot.retriever.store.family)
            self._checked = time.monotonic()
        release_memory()

    def wait_for_reload(self, timeout: float) -> None:
        with self._lock:
            self._reloaded.wait_for(lambda: not self._reloading, timeout=timeout)

    def ask(self, question: str, **options) -> Answer:
        """``PolicyBot.ask`` on the current index; once more on the reloaded index if the
        collection went away under it (a re-index in another process)."""
        return self._retrying(lambda bot: bot.ask(question, **options))

    def ask_stream(self, question: str, **options) -> Iterator[StreamEvent]:
        """``PolicyBot.ask_stream`` likewise: the search runs before the first event, so a
        collection gone away is noticed (and the reloaded index asked) before anything is
        streamed."""
        return self._retrying(lambda bot: bot.ask_stream(question, **options))

    def _retrying(self, call: Callable[[PolicyBot], T]) -> T:
        bot = self.current()
        try:
            return call(bot)
        except StoreError as exc:
            log.warning("search failed on %s (%s): reloading the live index", bot.retriever.store.name, exc)
            self._checked = time.monotonic()
            if self.refresh():
                self.wait_for_reload(timeout=60)
            if self._bot is bot:
                raise
            return call(self._bot)
