"""Micro-batching: concurrent classify calls share forward passes, off the event loop.

A support tool calls ``/v1/classify`` once per ticket; one text per forward pass wastes most of
the model's time on per-call overhead. Calls are queued; one consumer task takes the first, waits
up to ``window_s`` for more (or until ``max_texts``), groups them by model, runs each group as
one ``tag`` call in a worker thread, and hands every caller its own slice. While a pass runs, new
calls queue up and form the next, larger batch, so the batch size adapts to the load.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


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
        window_s: float = 0.004,
        max_texts: int = 128,
    ) -> None:
        self.run = run
        self.window_s = window_s
        self.max_texts = max_texts
        self.batches = 0
        self.texts = 0
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
        future: asyncio.Future[list[T]] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Call(key, texts, future))
        return await future

    async def _consume(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            calls = [await self._queue.get()]
            size = len(calls[0].texts)
            deadline = loop.time() + self.window_s
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
                calls.append(call)
                size += len(call.texts)
            groups: dict[Hashable, list[_Call[T]]] = {}
            for call in calls:
                groups.setdefault(call.key, []).append(call)
            for key, group in groups.items():
                await self._run_group(loop, key, group)

    async def _run_group(
        self, loop: asyncio.AbstractEventLoop, key: Hashable, group: list[_Call[T]]
    ) -> None:
        live = [call for call in group if not call.future.done()]  # skip cancelled callers
        if not live:
            return
        texts = [text for call in live for text in call.texts]
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
        start = 0
        for call in live:
            end = start + len(call.texts)
            if not call.future.done():
                call.future.set_result(results[start:end])
            start = end
