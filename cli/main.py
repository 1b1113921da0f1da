"""The ``steplens`` entry point: a Click group whose commands are imported only when used.

Command modules are listed by name here and imported on demand, so ``steplens --help`` and
light commands never pay for torch, transformers or spaCy. User errors from the library
(``SteplensError``) are shown as one clean message with exit status 1, never as a traceback.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from steplens.pipeline import __version__
from steplens.pipeline.errors import SteplensError
from steplens.pipeline.offline import ensure_offline

# command name -> (module, attribute). Order here is the order in `steplens --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "tag": ("steplens.cli.tag", "tag_command"),
    "report": ("steplens.cli.report", "report_command"),
    "train-steps": ("steplens.cli.train_steps", "train_steps_command"),
    "evaluate": ("steplens.cli.evaluate", "evaluate_command"),
    "serve": ("steplens.cli.serve", "serve_command"),
    "journeys": ("steplens.cli.journeys", "journeys"),
    "inspect": ("steplens.cli.inspect", "inspect_command"),
}


class LazyGroup(click.Group):
    """A group that imports each command's module the first time the command is needed."""

    def __init__(self, *args: Any, lazy_commands: dict[str, tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.lazy_commands) + sorted(super().list_commands(ctx))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            module_name, attribute = self.lazy_commands[cmd_name]
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{module_name}.{attribute} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SteplensError as exc:
            raise click.ClickException(str(exc)) from None


def configure_logging(verbosity: int, quiet: bool) -> None:
    """Warnings and up by default; -v for progress notes, -vv for library debug output."""
    level = (
        logging.ERROR
        if quiet
        else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbosity, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LevelFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING if verbosity < 2 else logging.DEBUG)
    for name in ("pipeline", "cli", "training", "api"):
        logging.getLogger(name).setLevel(level)


class _LevelFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.lower()}: {message}"
        return message


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="steplens")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="More output: -v library notes, -vv debug (progress shows without it).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def cli(verbose: int, quiet: bool) -> None:
    """steplens: find the journey step where customers struggle.

    Splits feedback comments into clauses, classifies each to a step of a journey, scores
    sentiment and effort, and merges the result with step metrics into a ranked report.
    Run `steplens COMMAND --help` for a command's options.
    """
    ensure_offline()
    configure_logging(verbose, quiet)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="steplens")
