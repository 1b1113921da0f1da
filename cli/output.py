"""Terminal output helpers shared by commands: a rich console and row progress."""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

LOG_EVERY_SECONDS = 10.0


@functools.lru_cache(maxsize=1)
def console() -> Console:
    """The console for tables and messages on standard output.

    Output that goes to a file or pipe gets 120 columns rather than rich's 80, so tables of
    step descriptions stay readable in logs.
    """
    width = None if sys.stdout.isatty() else 120
    return Console(highlight=False, soft_wrap=False, width=width)


def progress_note(message: str) -> None:
    """A progress line on standard error, shown by default and never with ``steplens -q``.

    Long commands (training, adapting) report their stages this way: a run that prints nothing
    for minutes looks hung.
    """
    import click

    if not is_quiet():
        click.echo(message, err=True)


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
    Otherwise: a line on standard error every ten seconds (and a last one at the end), so logs
    of batch jobs show progress without a flood. Both by default; nothing when ``quiet``.
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
    import click

    state = {"rows": 0, "started": time.monotonic(), "logged": time.monotonic(), "shown": 0}

    def line() -> None:
        now = time.monotonic()
        state["logged"], state["shown"] = now, state["rows"]
        rate = state["rows"] / max(now - state["started"], 1e-9)
        suffix = f" of {total}" if total else ""
        click.echo(f"{description}: {state['rows']}{suffix} rows ({rate:.0f} rows/s)", err=True)

    def advance(rows: int) -> None:
        state["rows"] += rows
        if time.monotonic() - state["logged"] >= LOG_EVERY_SECONDS:
            line()

    yield advance
    if state["shown"] and state["shown"] != state["rows"]:
        line()
