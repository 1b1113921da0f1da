"""The micro-batcher: concurrent calls share passes, results go back to the right caller."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Hashable

import pytest

from steplens.api.batcher import MicroBatcher


def test_concurrent_calls_share_batches_and_keep_order() -> None:
    calls: list[tuple[Hashable, list[str]]] = []
    started = threading.Event()

    def run(key: Hashable, texts: list[str]) -> list[str]:
        calls.append((key, list(texts)))
        started.wait(0.05)  # a pass takes a while: later calls queue up meanwhile
        return [f"{key}:{text.upper()}" for text in texts]

    async def main() -> list[list[str]]:
        batcher: MicroBatcher[str] = MicroBatcher(run, window_s=0.01, max_texts=64)
        batcher.start()
        try:
            jobs = [batcher.submit("a" if i % 4 else "b", [f"t{i}", f"u{i}"]) for i in range(40)]
            return await asyncio.gather(*jobs)
        finally:
            await batcher.stop()

    results = asyncio.run(main())
    for i, result in enumerate(results):
        key = "a" if i % 4 else "b"
        assert result == [f"{key}:T{i}", f"{key}:U{i}"]
    assert len(calls) < 20  # 40 calls, far fewer passes
    assert all(len({text[1:] for text in texts}) >= 1 for _, texts in calls)
    assert sum(len(texts) for _, texts in calls) == 80


def test_a_failing_pass_fails_its_callers_only() -> None:
    def run(key: Hashable, texts: list[str]) -> list[str]:
        if key == "bad":
            raise ValueError("model broke")
        return list(texts)

    async def main() -> tuple[object, list[str]]:
        batcher: MicroBatcher[str] = MicroBatcher(run, window_s=0.01)
        batcher.start()
        try:
            bad, good = await asyncio.gather(
                batcher.submit("bad", ["x"]),
                batcher.submit("good", ["y"]),
                return_exceptions=True,
            )
            return bad, good  # type: ignore[return-value]
        finally:
            await batcher.stop()

    bad, good = asyncio.run(main())
    assert isinstance(bad, ValueError) and good == ["y"]


def test_a_lone_caller_does_not_wait_for_the_window() -> None:
    """One request at a time (a support tool calling per ticket) is served at once; calls
    that overlap still share a batch (the test above)."""

    async def main() -> float:
        batcher: MicroBatcher[str] = MicroBatcher(lambda key, texts: list(texts), window_s=5.0)
        batcher.start()
        try:
            started = time.perf_counter()
            for i in range(5):
                assert await batcher.submit("a", [f"t{i}"]) == [f"t{i}"]
            return time.perf_counter() - started
        finally:
            await batcher.stop()

    assert asyncio.run(main()) < 2.0  # five windows would be 25 s


def test_overlapping_callers_wait_for_the_window_to_share_a_pass() -> None:
    sizes: list[int] = []

    def run(key: Hashable, texts: list[str]) -> list[str]:
        sizes.append(len(texts))
        return list(texts)

    async def main() -> None:
        batcher: MicroBatcher[str] = MicroBatcher(run, window_s=0.2)
        batcher.start()
        try:
            await asyncio.gather(batcher.submit("a", ["x"]), batcher.submit("a", ["y"]))

            async def late(text: str) -> list[str]:
                await asyncio.sleep(0.05)  # arrives within the window, after the first call
                return await batcher.submit("a", [text])

            await asyncio.gather(batcher.submit("a", ["z"]), late("w"))
        finally:
            await batcher.stop()

    asyncio.run(main())
    assert sizes == [2, 2]


def test_submit_before_start_is_an_error() -> None:
    batcher: MicroBatcher[str] = MicroBatcher(lambda key, texts: texts)
    with pytest.raises(RuntimeError, match="start"):
        asyncio.run(batcher.submit("k", ["x"]))


def test_freed_memory_is_handed_back_every_few_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    import steplens.api.batcher as batcher_module

    trims: list[int] = []
    monkeypatch.setattr(batcher_module, "release_free_memory", lambda: trims.append(1))

    async def main() -> int:
        batcher: MicroBatcher[str] = MicroBatcher(lambda key, texts: list(texts), window_s=0)
        batcher.start()
        try:
            for i in range(2 * batcher_module.TRIM_EVERY_BATCHES):
                await batcher.submit("k", [f"t{i}"])
            return batcher.batches
        finally:
            await batcher.stop()

    assert asyncio.run(main()) == 2 * batcher_module.TRIM_EVERY_BATCHES
    assert len(trims) == 2


def test_a_long_text_does_not_hold_up_short_ones() -> None:
    from steplens.api.batcher import Lanes

    release = threading.Event()
    lanes_seen: dict[str, list[str]] = {"short": [], "long": []}

    def run_short(key: Hashable, texts: list[str]) -> list[str]:
        lanes_seen["short"] += texts
        return [f"s:{text}" for text in texts]

    def run_long(key: Hashable, texts: list[str]) -> list[str]:
        lanes_seen["long"] += texts
        release.wait(5)  # a long text takes a while
        return [f"l:{text[:3]}" for text in texts]

    async def main() -> tuple[list[str], list[str], float]:
        short: MicroBatcher[str] = MicroBatcher(run_short, window_s=0.001)
        long: MicroBatcher[str] = MicroBatcher(run_long, window_s=0.001)
        short.start()
        long.start()
        lanes = Lanes(short, long, long_chars=20)
        try:
            mixed = asyncio.create_task(lanes.submit("k", ["tiny", "x" * 50, "also tiny"]))
            await asyncio.sleep(0.05)
            started = time.perf_counter()
            alone = await lanes.submit("k", ["a short one"])  # answered while the long one runs
            waited = time.perf_counter() - started
            release.set()
            return await mixed, alone, waited
        finally:
            release.set()
            await short.stop()
            await long.stop()

    mixed, alone, waited = asyncio.run(main())
    assert mixed == ["s:tiny", "l:xxx", "s:also tiny"]  # in order, each from its lane
    assert alone == ["s:a short one"] and waited < 1.0
    assert lanes_seen["long"] == ["x" * 50]
