"""Micro-batching: concurrent classify calls share forward passes, off the event loop.

A support tool calls ``/v1/classify`` once per ticket; one text per forward pass wastes most of
the model's time on per-call overhead. Calls are queued; one consumer task takes the first, waits
up to ``window_s`` for more (or until ``max_texts``), groups them by model, runs each group as
one ``tag`` call in a worker thread, and hands every caller its own slice. The window is only
waited for while calls overlap (the last batch held several, or more arrived while it ran): a
client that sends one request at a time is not made to wait for company that never comes. While
a pass runs, new calls queue up and form the next, larger batch, so the batch size adapts to the
load.

Overload: a call that would take the queue past ``max_queued_texts`` texts, or that would wait
longer than ``max_wait_s`` (the texts queued ahead of it over the measured throughput) before its
own work starts, is refused at once with :class:`Overloaded` (503 with ``Retry-After`` over
HTTP) instead of waiting until the client times out. A refused call costs microseconds, so a
flood cannot starve the calls in the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from steplens.api.errors import Overloaded

logger = logging.getLogger(__name__)

REFUSAL_LOG_INTERVAL_S = 10.0
TRIM_EVERY_BATCHES = 20


def release_free_memory() -> None:
    """Hand freed heap pages back to the OS (glibc ``malloc_trim``; elsewhere, nothing).

    Batches of every size and length leave the C heap fragmented: without this, a server's
    resident memory kept rising for minutes under steady load although nothing was kept.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Call(Generic[T]):
    key: Hashable
    texts: Sequence[str]
    future: asyncio.Future[list[T]] = field(repr=False)


class MicroBatcher(Generic[T]):
    """Queue calls, run them in shared batches: ``await batcher.submit(key, texts)``."""

    def __init__(
        self,
        run: Callable[[Hashable, list[str]], list[T]],
        *,
        window_s: float = 0.008,
        max_texts: int = 128,
        max_queued_texts: int = 2048,
        max_wait_s: float = 5.0,
    ) -> None:
        self.run = run
        self.window_s = window_s
        self.max_texts = max_texts
        self.max_queued_texts = max_queued_texts
        self.max_wait_s = max_wait_s
        self.batches = 0
        self.texts = 0
        self.refused = 0
        self._refusals_logged = (0.0, 0)  # (when, self.refused then): one warning per interval
        self.queued_texts = 0  # submitted, not yet taken into a batch
        self.texts_per_s = 0.0  # moving average of measured throughput (0: none measured yet)
        self._overlapping = False  # did calls overlap lately (then the window is worth waiting)
        self._queue: asyncio.Queue[_Call[T]] | None = None
        self._task: asyncio.Task[None] | None = None
        # One worker: torch already spreads a forward pass over the cores (intra-op threads).
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="steplens-model")

    def start(self) -> None:
        """Start the consumer task on the running loop (from the app's lifespan)."""
        self._queue = asyncio.Queue()
        self._task = asyncio.create_task(self._consume(), name="steplens-batcher")

    async def stop(self) -> None:
        """Stop taking calls; fail the queued ones; release the worker thread."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._queue is not None:
            while not self._queue.empty():
                call = self._queue.get_nowait()
                if not call.future.done():
                    call.future.set_exception(RuntimeError("the service is shutting down"))
        self._executor.shutdown(wait=True)

    async def submit(self, key: Hashable, texts: Sequence[str]) -> list[T]:
        """The results for ``texts`` (in order), computed in a shared batch."""
        if self._queue is None:
            raise RuntimeError("MicroBatcher.start() was not called")
        if not texts:
            return []
        self.admit(len(texts))
        future: asyncio.Future[list[T]] = asyncio.get_running_loop().create_future()
        self.queued_texts += len(texts)
        self._queue.put_nowait(_Call(key, texts, future))
        return await future

    def estimated_wait_s(self) -> float:
        """Seconds until the queued texts are done, at the measured throughput."""
        if self.texts_per_s <= 0:
            return 0.0
        return self.queued_texts / self.texts_per_s

    def saturated(self) -> bool:
        """True while any call would be refused (the queue is full or its wait too long)."""
        full = self.queued_texts >= self.max_queued_texts
        return full or self.estimated_wait_s() > self.max_wait_s

    async def run_in_worker(self, function: Callable[..., R], *args: Any) -> R:
        """Run other CPU work (redacting stored attributes) in the model's worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, function, *args)

    def admit(self, n: int) -> None:
        """Raise :class:`Overloaded` now if a call of ``n`` texts cannot be served in time.

        Routes call it before any other work, so a refused request costs no journey lookup or
        database read; ``submit`` checks again (see the module docstring for the rule).
        """
        wait = self.estimated_wait_s()  # the work ahead of this call, not its own
        if self.queued_texts + n > self.max_queued_texts or wait > self.max_wait_s:
            self.refused += 1
            self._log_refusals()
            retry = max(1.0, min(wait or self.max_wait_s, 60.0))
            raise Overloaded(
                f"overloaded: {self.queued_texts} texts are queued (about {wait:.1f}s of work); "
                "try again later",
                retry_after=retry,
            )

    def _log_refusals(self) -> None:
        """At most one warning per ``REFUSAL_LOG_INTERVAL_S`` about refused calls."""
        now = time.monotonic()
        when, count = self._refusals_logged
        if now - when >= REFUSAL_LOG_INTERVAL_S:
            logger.warning(
                "overloaded: %d call(s) refused since the last warning (%d texts queued)",
                self.refused - count,
                self.queued_texts,
            )
            self._refusals_logged = (now, self.refused)

    async def _consume(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            calls = [await self._queue.get()]
            self.queued_texts -= len(calls[0].texts)
            size = len(calls[0].texts)
            # Wait for company only when calls have been overlapping: a lone caller (one
            # request at a time) would otherwise pay the whole window on every call.
            deadline = loop.time() + (self.window_s if self._overlapping else 0.0)
            while size < self.max_texts:
                if self._queue.empty():
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        break
                    try:
                        call = await asyncio.wait_for(self._queue.get(), remaining)
                    except asyncio.TimeoutError:
                        break
                else:
                    call = self._queue.get_nowait()
                self.queued_texts -= len(call.texts)
                calls.append(call)
                size += len(call.texts)
            groups: dict[Hashable, list[_Call[T]]] = {}
            for call in calls:
                groups.setdefault(call.key, []).append(call)
            for key, group in groups.items():
                await self._run_group(loop, key, group)
            self._overlapping = len(calls) > 1 or not self._queue.empty()

    async def _run_group(
        self, loop: asyncio.AbstractEventLoop, key: Hashable, group: list[_Call[T]]
    ) -> None:
        live = [call for call in group if not call.future.done()]  # skip cancelled callers
        if not live:
            return
        texts = [text for call in live for text in call.texts]
        started = loop.time()
        try:
            results: list[Any] = await loop.run_in_executor(self._executor, self.run, key, texts)
        except Exception as exc:  # handed to every caller of the batch, never lost
            logger.exception("a batch of %d texts failed", len(texts))
            for call in live:
                if not call.future.done():
                    call.future.set_exception(exc)
            return
        self.batches += 1
        self.texts += len(texts)
        if self.batches % TRIM_EVERY_BATCHES == 0:
            await loop.run_in_executor(self._executor, release_free_memory)
        rate = len(texts) / max(loop.time() - started, 1e-6)
        self.texts_per_s = rate if self.texts_per_s <= 0 else 0.8 * self.texts_per_s + 0.2 * rate
        start = 0
        for call in live:
            end = start + len(call.texts)
            if not call.future.done():
                call.future.set_result(results[start:end])
            start = end


@dataclass
class Lanes(Generic[T]):
    """Two micro-batchers, so a long text never holds up short ones.

    Texts over ``long_chars`` characters go to ``long`` (its own queue and worker thread); the
    rest to ``short``. A 9,800-character rant takes a second or more to tag (hundreds of
    clauses, each with its sentiment towards its step), and in one lane every short request
    queued behind it waited for all of it. In two lanes the short requests run meanwhile; both
    threads then share the cores for as long as the long text takes (docs/service.md measures
    it). Without a long lane, everything goes to ``short``.
    """

    short: MicroBatcher[T]
    long: MicroBatcher[T] | None = None
    long_chars: int = 0

    async def submit(self, key: Hashable, texts: Sequence[str]) -> list[T]:
        """The results for ``texts`` (in order), each computed in its lane."""
        if self.long is None or self.long_chars <= 0:
            return await self.short.submit(key, texts)
        lengthy = [i for i, text in enumerate(texts) if len(text) > self.long_chars]
        if not lengthy:
            return await self.short.submit(key, texts)
        brief = [i for i in range(len(texts)) if len(texts[i]) <= self.long_chars]
        long_results, short_results = await asyncio.gather(
            self.long.submit(key, [texts[i] for i in lengthy]),
            self.short.submit(key, [texts[i] for i in brief]),
        )
        results: list[Any] = [None] * len(texts)
        for i, result in zip(lengthy, long_results, strict=True):
            results[i] = result
        for i, result in zip(brief, short_results, strict=True):
            results[i] = result
        return cast("list[T]", results)
