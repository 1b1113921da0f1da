"""Overload: calls the queue cannot serve in time are refused at once, with a Retry-After."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from steplens.api.app import create_app
from steplens.api.batcher import MicroBatcher
from steplens.api.errors import Overloaded
from steplens.api.settings import Settings


def slow_run(key: Hashable, texts: list[str]) -> list[str]:
    time.sleep(0.002 * len(texts))  # 500 texts/s
    return list(texts)


def test_queue_cap_refuses_quickly_and_serves_the_rest() -> None:
    async def main() -> tuple[list[object], float]:
        batcher: MicroBatcher[str] = MicroBatcher(
            slow_run, window_s=0.001, max_texts=16, max_queued_texts=40, max_wait_s=60
        )
        batcher.start()
        try:
            started = time.perf_counter()
            jobs = [batcher.submit("k", [f"t{i}", f"u{i}"]) for i in range(100)]
            results = await asyncio.gather(*jobs, return_exceptions=True)
            return results, time.perf_counter() - started
        finally:
            await batcher.stop()

    results, _ = asyncio.run(main())
    served = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, Overloaded)]
    assert len(served) + len(refused) == 100
    assert len(served) == 20  # 40 queued texts = 20 calls of 2
    assert all(r.retry_after >= 1 for r in refused)
    for i, result in enumerate(results[:20]):
        assert result == [f"t{i}", f"u{i}"]


def test_estimated_wait_refuses_once_throughput_is_known() -> None:
    async def main() -> tuple[list[object], list[float]]:
        batcher: MicroBatcher[str] = MicroBatcher(
            slow_run, window_s=0.001, max_texts=8, max_queued_texts=10_000, max_wait_s=0.2
        )
        batcher.start()
        try:
            await batcher.submit("k", ["warm"] * 8)  # measures the throughput
            assert batcher.texts_per_s > 0
            timings: list[float] = []

            async def timed(i: int) -> list[str]:
                started = time.perf_counter()
                try:
                    return await batcher.submit("k", [f"t{i}"] * 10)
                finally:
                    timings.append(time.perf_counter() - started)

            results = await asyncio.gather(*(timed(i) for i in range(100)), return_exceptions=True)
            return results, timings
        finally:
            await batcher.stop()

    results, _ = asyncio.run(main())
    refused = [r for r in results if isinstance(r, Overloaded)]
    assert refused and len(refused) < 100
    assert all("overloaded" in str(r) for r in refused)


def test_http_overload_is_a_503_with_retry_after(tmp_path: Path, encoder: Any) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", queue_max_texts=1)
    with TestClient(create_app(settings)) as client:
        answer = client.post("/v1/classify", json={"texts": ["checkout failed", "late parcel"]})
        assert answer.status_code == 503
        assert int(answer.headers["Retry-After"]) >= 1
        assert "overloaded" in answer.json()["detail"]
        assert client.post("/v1/classify", json={"text": "checkout failed"}).status_code == 200


def test_a_saturated_queue_sheds_model_calls_before_reading_them(
    tmp_path: Path, encoder: Any
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", queue_max_texts=10)
    with TestClient(create_app(settings)) as client:
        batcher = client.app.state.batcher  # type: ignore[attr-defined]
        batcher.queued_texts = 10  # as if ten texts were waiting
        for path in ("/v1/classify", "/v1/feedback"):
            shed = client.post(path, content=b"not even JSON")
            assert shed.status_code == 503, path
            assert "queue is full" in shed.json()["detail"]
            assert int(shed.headers["Retry-After"]) >= 1
        assert client.get("/v1/journeys").status_code == 200  # other routes still answer
        batcher.queued_texts = 0
        assert client.post("/v1/classify", json={"text": "late parcel"}).status_code == 200
