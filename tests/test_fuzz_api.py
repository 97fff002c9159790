"""Schemathesis against the app's own OpenAPI schema (issue 11, point 7): valid and
invalid requests generated for every operation; no 5xx, and every answer (errors
included: 400 for unparseable JSON, 413, 422, 429 …) is documented in the schema.

All of schemathesis' default checks run, except one for invalid data: pydantic's lax
mode accepts some schema-violating values on purpose (``true`` for an integer, ``1`` for
``1.0``), which ``negative_data_rejection`` would report. And for the OpenAI-compatible
``POST /v1/chat/completions`` (issue 12) one for valid data: its contract — the *last*
message is the user's question, checked like ``/api/ask``'s ``question`` — cannot be said in
JSON Schema, so a schema-valid message list may get a (documented) 422, which
``positive_data_acceptance`` would report. Everything else is checked there too."""

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from bot.config import Settings
from bot.web.app import create_app

STATUSES: list[int] = []  # every response, for the summary line
MESSAGE_LISTS = {"POST /v1/chat/completions"}  # see the module docstring


@pytest.fixture(scope="module")
def api_schema(settings, bot, tmp_path_factory):
    app_settings = Settings(data_dir=settings.data_dir, rate_limit_per_minute=1_000_000,
                            database_url=f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fb.db'}")
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(app_settings, bot, with_ui=False))


def _excluded(operation) -> list:
    return [negative_data_rejection] + ([positive_data_acceptance] if operation.label in MESSAGE_LISTS else [])


def _operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


# `schemathesis.pytest.from_fixture` does not work with pytest 9 yet: each operation's
# Hypothesis strategy is driven from one test instead (one summary per operation).
def test_generated_requests_never_get_a_server_error(api_schema):
    failures = []
    runs = [(op, mode) for op in _operations(api_schema) for mode in schemathesis.GenerationMode]
    for operation, mode in runs:

        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis.settings(max_examples=60, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(hypothesis.HealthCheck))
        def run(case):
            response = case.call_and_validate(excluded_checks=_excluded(case.operation))
            STATUSES.append(response.status_code)
            assert response.status_code < 500

        try:
            run()
        except hypothesis.errors.Unsatisfiable:
            assert mode is schemathesis.GenerationMode.NEGATIVE  # nothing to get wrong in a bare GET
        except BaseException as exc:  # collect every operation's failures, then report them all
            failures.append(f"{operation.label} ({mode.value}): {exc!r}")
    assert not failures, "\n\n".join(failures)
    assert len(STATUSES) >= 300 and not [s for s in STATUSES if s >= 500]
    print(f"schemathesis: {len(STATUSES)} cases over {len(_operations(api_schema))} operations, "
          f"statuses {sorted(set(STATUSES))}, 5xx: 0")
