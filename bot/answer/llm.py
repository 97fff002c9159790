"""The optional LLM composer (``BOT_LLM``): one more composer after the deterministic
stages, never a second pipeline.

The stages decide everything first (intent, route, the rows or clauses, coverage, the
caveats); only an *answered* draft reaches the model, as numbered clause quotes plus the
checked extractive answer, and the model writes the prose with ``[n]`` markers that
refer to that numbering. The service then checks the prose (``generated.check_generated``)
and the complete text (``verify.guard``) and falls back to the extractive answer on any
problem.

* :func:`make_chat_model` — the backend factory: one setting, LangChain chat models
  (``init_chat_model``), timeouts and retries declared there.
* :class:`LLMWriter` — prompt → chat model → text, ``.with_fallbacks`` to the extractive
  composer (an error or timeout yields :class:`ExtractiveFallback`, never an exception).
* :class:`Assembly` — lead lines + generated prose + notes, with the model's markers
  renumbered in order of first use, incrementally (so a stream and a whole answer give
  the same text).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableLambda

from bot.answer.generated import MARKER, marker_numbers
from bot.answer.templates import read_prompt_file
from bot.config import Settings
from bot.errors import LLMConfigError
from bot.models import Citation

log = logging.getLogger(__name__)
PROVIDERS = ("none", "openai", "ollama", "llamacpp")


# --------------------------------------------------------------------------- factory
def parse_backend(spec: str) -> tuple[str, str]:
    """``"openai:qwen2.5"`` → ``("openai", "qwen2.5")``; ``"none"`` → ``("none", "")``."""
    provider, _, name = (spec or "none").strip().partition(":")
    provider = provider.lower()
    if provider not in PROVIDERS:
        raise LLMConfigError(f"BOT_LLM={spec!r}: use none, openai:<model>, ollama:<model> or llamacpp:<path.gguf>")
    if provider != "none" and not name:
        raise LLMConfigError(f"BOT_LLM={spec!r}: name the model after the colon, e.g. {provider}:qwen2.5")
    return provider, name


def make_chat_model(settings: Settings, spec: str | None = None) -> Runnable | None:
    """The chat model ``BOT_LLM`` (or ``spec``) names, or None for ``none``."""
    provider, name = parse_backend(spec if spec is not None else settings.llm)
    if provider == "none":
        return None
    common = {"temperature": settings.llm_temperature}
    try:
        if provider == "openai":
            from langchain.chat_models import init_chat_model

            key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
            # The OpenAI client retries connection errors, 408/429 and 5xx itself, with backoff.
            # max_tokens goes in the body as such: ChatOpenAI would send max_completion_tokens,
            # which older OpenAI-compatible servers do not know.
            return init_chat_model(f"openai:{name}", base_url=settings.openai_base_url, api_key=key,
                                   timeout=settings.llm_timeout_seconds, max_retries=settings.llm_max_retries,
                                   extra_body={"max_tokens": settings.llm_max_tokens}, **common)
        if provider == "ollama":
            from langchain.chat_models import init_chat_model

            chat = init_chat_model(f"ollama:{name}", base_url=settings.ollama_host, num_predict=settings.llm_max_tokens,
                                   client_kwargs={"timeout": settings.llm_timeout_seconds}, **common)
            return chat.with_retry(stop_after_attempt=1 + settings.llm_max_retries)
        from bot.answer.llamacpp import LlamaCppChat

        chat = LlamaCppChat(model_path=name, n_threads=settings.llm_threads, max_tokens=settings.llm_max_tokens,
                            **common)
        return chat
    except ImportError as exc:
        extra = {"llamacpp": "pip install -e '.[llamacpp]'"}.get(provider, "pip install -e .")
        raise LLMConfigError(f"BOT_LLM={provider}:…: a package is missing ({exc.name}); {extra}") from exc
    except (ValueError, OSError) as exc:
        raise LLMConfigError(f"BOT_LLM={provider}:{name}: cannot set up the model ({exc})") from exc


# --------------------------------------------------------------------------- prompts
@dataclass(frozen=True)
class LLMPrompts:
    """``prompts/llm.yaml``."""

    data: dict

    @classmethod
    def load(cls, prompts_dir: Path) -> LLMPrompts:
        return cls(read_prompt_file(prompts_dir / "llm.yaml", "the LLM prompts"))

    @property
    def system(self) -> str:
        return str(self.data["system"])

    def fenced(self, text: str) -> str:
        """``text`` with every fence marker removed, so data cannot close its fence."""
        for marker in self.data["fence_markers"]:
            text = text.replace(marker, "")
        return text

    def ask_label(self, ask: str) -> str:
        return str(self.data["ask_labels"].get(ask, ask))

    def __call__(self, key: str, **values: object) -> str:
        return str(self.data[key]).format(**values)


@lru_cache(maxsize=4)
def get_llm_prompts(prompts_dir: Path) -> LLMPrompts:
    return LLMPrompts.load(prompts_dir)


@dataclass(frozen=True)
class EvidenceItem:
    """One numbered piece of evidence as the model sees it."""

    citation: Citation
    region_label: str


@dataclass(frozen=True)
class WriteRequest:
    """What the model is told: the question, what the stages decided, the numbered
    evidence and the checked extractive answer (same numbering)."""

    question: str
    regions: tuple[str, ...]
    topics: tuple[str, ...]
    ask: str
    sources: tuple[EvidenceItem, ...]
    reference: str

    def inputs(self) -> dict:
        return {"request": self}


@dataclass(frozen=True)
class ExtractiveFallback:
    """The model failed (error, timeout): the extractive composer answers instead."""

    reason: str


def _fallback(inputs: dict) -> ExtractiveFallback:
    error = inputs.get("error")
    return ExtractiveFallback(f"{type(error).__name__}: {str(error)[:200]}" if error else "unknown error")


class LLMWriter:
    """Prompt → chat model → prose, with the extractive composer declared as fallback."""

    def __init__(self, chat: Runnable, prompts: LLMPrompts, backend: str) -> None:
        self.backend = backend
        self.prompts = prompts
        primary = RunnableLambda(self.messages) | chat | StrOutputParser()
        self.chain = primary.with_fallbacks([RunnableLambda(_fallback)], exception_key="error")

    def messages(self, inputs: dict) -> list[BaseMessage]:
        r: WriteRequest = inputs["request"]
        p, none = self.prompts, self.prompts("none")
        evidence = "\n".join(
            p("evidence_item", n=s.citation.n, region=s.region_label, status=s.citation.status,
              title=p.fenced(s.citation.title), clause=p.fenced(s.citation.clause), quote=p.fenced(s.citation.quote))
            for s in r.sources)
        user = p("user", question=p.fenced(r.question), regions="、".join(r.regions) or none,
                 topics="、".join(r.topics) or none, ask=p.ask_label(r.ask), evidence=evidence,
                 reference=p.fenced(r.reference))
        return [SystemMessage(p.system), HumanMessage(user)]

    def invoke(self, request: WriteRequest) -> str | ExtractiveFallback:
        return self.chain.invoke(request.inputs())

    def stream(self, request: WriteRequest) -> Iterator[str | ExtractiveFallback]:
        """Text deltas, or one :class:`ExtractiveFallback` if the model fails before its
        first token (a failure later raises: the caller replaces what was shown)."""
        yield from self.chain.stream(request.inputs())


# --------------------------------------------------------------------------- markers
MAX_MARKER = 16  # a pending "[" longer than this is text, not a marker


def _unclosed(text: str, cut: int) -> int:
    """Where a marker that may still be cut in two starts (an opener of :data:`OPENERS`
    near the end that its kind of closer has not closed yet), else ``cut``."""
    for openers, closers in (("（(", "）)"), ("[［【", "]］】")):
        opener = max(text.rfind(c, 0, cut) for c in openers)
        if opener >= 0 and cut - opener <= MAX_MARKER and not any(c in closers for c in text[opener:cut]):
            return opener
    return cut


@dataclass
class Assembly:
    """Lead + generated prose + notes as one text, the model's ``[n]`` markers renumbered
    by first use (variants like 【1】, [1,2] and [^1] become [1], [1][2]). ``supplied``
    are the numbers the model was given; any other number is kept as written (and the
    guard rejects it)."""

    supplied: set[int]
    lead: str = ""
    notes: str = ""
    mapping: dict[int, int] = field(default_factory=dict)
    prose: str = ""  # the generated part, renumbered
    _pending: str = ""
    _started: bool = False
    _text: list[str] = field(default_factory=list)

    def start(self) -> str:
        return self._emit(self._renumber(self.lead) + "\n\n" if self.lead else "")

    def feed(self, chunk: str) -> str:
        """The part of ``chunk`` that can be shown now (a marker cut in two, and trailing
        whitespace, wait for the next chunk)."""
        text = self._pending + chunk
        if not self._started:
            text = text.lstrip()
            if not text:
                self._pending = ""
                return ""
            self._started = True
        cut = _unclosed(text, len(text.rstrip()))
        self._pending = text[cut:]
        ready = self._renumber(text[:cut])
        self.prose += ready
        return self._emit(ready)

    def finish(self) -> str:
        """The rest of the prose (trailing whitespace dropped) and the notes."""
        rest = self._renumber(self._pending.rstrip())
        self._pending = ""
        self.prose += rest
        notes = "\n\n" + self._renumber(self.notes) if self.notes else ""
        return self._emit(rest + notes)

    @property
    def text(self) -> str:
        return "".join(self._text)

    def _emit(self, text: str) -> str:
        self._text.append(text)
        return text

    def _renumber(self, text: str) -> str:
        def marker(m: re.Match) -> str:
            out = []
            for n in marker_numbers(m):
                if n in self.supplied:
                    n = self.mapping.setdefault(n, len(self.mapping) + 1)
                out.append(f"[{n}]")
            return "".join(out)

        return MARKER.sub(marker, text)

    def citations(self, supplied: list[Citation]) -> list[Citation]:
        """The supplied citations the text uses, renumbered like the text."""
        by_n = {c.n: c for c in supplied}
        return sorted((by_n[old].model_copy(update={"n": new}) for old, new in self.mapping.items()),
                      key=lambda c: c.n)
