"""Terminal output helpers shared by commands: a rich console and row progress."""

from __future__ import annotations

import functools
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

logger = logging.getLogger("cli")

LOG_EVERY_SECONDS = 10.0


@functools.lru_cache(maxsize=1)
def console() -> Console:
    """The console for tables and messages on standard output.

    Output that goes to a file or pipe gets 120 columns rather than rich's 80, so tables of
    step descriptions stay readable in logs.
    """
    width = None if sys.stdout.isatty() else 120
    return Console(highlight=False, soft_wrap=False, width=width)


def is_quiet() -> bool:
    """Whether the user asked for quiet output with `steplens -q`."""
    import click

    context = click.get_current_context(silent=True)
    return bool(context and context.find_root().params.get("quiet"))


@contextmanager
def row_progress(
    description: str, total: int | None = None, quiet: bool = False
) -> Iterator[Callable[[int], None]]:
    """Yield an ``advance(rows)`` callback that shows progress suited to where output goes.

    On a terminal: a bar (or a counter when the total is unknown) with rows, rows/s and ETA.
    Otherwise: a log line every ten seconds, so logs of batch jobs stay readable.
    """
    if quiet:
        yield lambda rows: None
        return
    if sys.stderr.isatty():
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = [
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows"),
            TextColumn("{task.speed:>7.0f} rows/s" if total else ""),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        ]
        with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
            task = progress.add_task(description, total=total)
            yield lambda rows: progress.advance(task, rows)
        return
    state = {"rows": 0, "started": time.monotonic(), "logged": time.monotonic()}

    def advance(rows: int) -> None:
        state["rows"] += rows
        now = time.monotonic()
        if now - state["logged"] >= LOG_EVERY_SECONDS:
            state["logged"] = now
            rate = state["rows"] / max(now - state["started"], 1e-9)
            suffix = f" of {total}" if total else ""
            logger.info("%s: %d%s rows (%.0f rows/s)", description, state["rows"], suffix, rate)

    yield advance
