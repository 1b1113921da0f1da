"""Property-based: nothing a client sends makes the service answer 5xx (schemathesis).

A real uvicorn process on loopback (``bench.launch``) with a fresh SQLite database; schemathesis
generates requests from the app's own OpenAPI schema, valid and invalid, for every operation,
bounded by ``MAX_EXAMPLES`` per operation so the test stays inside CI's time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (.[dev])")
from hypothesis import HealthCheck, settings  # noqa: E402

from bench.launch import serve_in_subprocess  # noqa: E402
from steplens.api.app import create_app  # noqa: E402
from steplens.api.settings import Settings  # noqa: E402

MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    env = {"STEPLENS_DATABASE_URL": f"sqlite:///{folder / 'fuzz.db'}", "STEPLENS_RATE_LIMIT": "0"}
    with serve_in_subprocess(env) as url:
        yield url


# The schema comes from the app object (building it loads no model); requests go to the server.
schema = schemathesis.openapi.from_dict(create_app(Settings(database_url="sqlite://")).openapi())


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_request_gets_a_server_error(case: Any, base_url: str) -> None:
    response = case.call(base_url=base_url, timeout=60)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
    )
    if response.status_code >= 400:
        content_type = response.headers.get("content-type") or [""]
        assert content_type[0].startswith("application/json"), content_type
        assert "detail" in response.json()
