"""Every error the bot raises on purpose, under one base class.

Errors are raised where they happen, with a message a user can act on; the edges
(CLI, HTTP, UI) catch :class:`BotError` and show that message — never a traceback.
"""

from __future__ import annotations


class BotError(Exception):
    """Base of every expected failure. ``str(exc)`` is safe to show to users."""


class InvalidQuestion(BotError, ValueError):
    """The question cannot be asked as given (empty, too long, not text)."""


class KnowledgeError(BotError):
    """A document or data file under the knowledge directory is missing or malformed."""


class EmbeddingError(BotError):
    """The embedding backend cannot be loaded or used offline."""


class StoreError(BotError):
    """The vector store cannot be reached or is inconsistent."""


class StoreDamaged(StoreError):
    """The embedded store's files are unreadable (e.g. a truncated ``chroma.sqlite3``)."""


class IndexBusy(StoreError):
    """Another ``bot ingest`` holds the index lock."""


class FeedbackUnavailable(BotError):
    """The feedback database cannot be opened or written; chat works without it."""


class JsonlError(BotError, ValueError):
    """A JSON Lines file has a line that is not a JSON object."""


class CliError(BotError):
    """A command-line usage problem (bad option combination, missing file)."""


class LLMConfigError(BotError):
    """``BOT_LLM`` names a backend that cannot be set up (unknown provider, missing package
    or settings). A backend that fails while answering is not an error: the extractive
    answer is used."""
