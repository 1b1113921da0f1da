"""Options shared by several commands, declared once so they read the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def input_argument(function: F) -> F:
    """INPUT: a .csv, .tsv, .jsonl, .parquet or .xlsx file of feedback."""
    return click.argument(
        "input_path",
        metavar="INPUT",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
    )(function)


def journey_option(function: F) -> F:
    """--journey NAME|PATH."""
    return click.option(
        "--journey",
        "-j",
        "journey",
        required=True,
        metavar="NAME|PATH",
        help="A bundled journey (see `steplens journeys list`) or a journey YAML file.",
    )(function)


def text_column_option(function: F) -> F:
    """--text-column."""
    return click.option(
        "--text-column",
        default="text",
        show_default=True,
        help="Column that holds the comment text.",
    )(function)


def id_column_option(function: F) -> F:
    """--id-column."""
    return click.option(
        "--id-column",
        default=None,
        help="Column that identifies each comment [default: 'id' if present, else row numbers].",
    )(function)


def encoding_option(function: F) -> F:
    """--encoding for CSV/JSONL input."""
    return click.option(
        "--encoding",
        default="utf-8",
        show_default=True,
        help="Text encoding of CSV/JSONL input (a UTF-8 BOM is handled either way).",
    )(function)


def sheet_option(function: F) -> F:
    """--sheet for Excel input."""
    return click.option(
        "--sheet",
        default=None,
        metavar="NAME",
        help="The sheet of an Excel workbook (.xlsx) to read [default: the first].",
    )(function)


def json_flag(function: F) -> F:
    """--json: machine-readable output."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
        function
    )


def table_options(function: F) -> F:
    """Every option needed to open a feedback table, in a fixed order."""
    for decorator in (
        sheet_option,
        encoding_option,
        id_column_option,
        text_column_option,
        input_argument,
    ):
        function = decorator(function)
    return function


def model_option(function: F) -> F:
    """--model DIR: a step model from `steplens train-steps`."""
    return click.option(
        "--model",
        "model_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help="Step model directory from `steplens train-steps` [default: zero-shot from the "
        "journey].",
    )(function)


def threshold_option(function: F) -> F:
    """--threshold P: the unassigned cut-off instead of the model's own."""
    return click.option(
        "--threshold",
        type=click.FloatRange(0.0, 1.0),
        default=None,
        help="Probability a step needs to be assigned [default: the model's calibrated threshold].",
    )(function)
