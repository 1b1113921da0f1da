"""Step metrics files: loading and validating per-step funnel numbers (CSV, TSV or Parquet).

A metrics file has one row per step (and per period and group, when it has those columns) with
``entered`` and ``completed`` counts and optional numbers such as ``median_time_s``. The report
joins it to the text signals, so a wrong row would silently skew a ranking: validation checks
every row and raises one MetricsError listing every problem, each naming the file, the data row
(counted from 1 below the header, as the table readers count) and the column.

Metrics files are small (steps x periods x groups), so the rows are read in chunks through
``steplens.pipeline.tables`` but kept in memory: deciding whether an extra column is a number or a
group needs all of its values.
"""

from __future__ import annotations

import difflib
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import Journey
from steplens.pipeline.report.periods import Period, PeriodKind, parse_period, period_kind
from steplens.pipeline.tables import Row, Table, as_text

logger = logging.getLogger(__name__)

STEP = "step"
PERIOD = "period"
ENTERED = "entered"
COMPLETED = "completed"
REQUIRED_COLUMNS = (STEP, ENTERED, COMPLETED)
OPTIONAL_COUNTS = ("support_contacts", "escalations")
"""Optional columns that hold counts: whole numbers, 0 or more."""
OPTIONAL_AMOUNTS = ("median_time_s",)
"""Optional columns that hold non-negative numbers."""
KNOWN_COLUMNS = (STEP, PERIOD, ENTERED, COMPLETED, *OPTIONAL_COUNTS, *OPTIONAL_AMOUNTS)

MAX_PROBLEMS = 50
"""At most this many problems are listed; the rest are counted."""

Number = int | float


class MetricsError(SteplensError):
    """A step metrics file that cannot be used; the message lists every problem found."""


def drop_off_rate(entered: int, completed: int) -> float | None:
    """The share of those who entered a step and did not complete it: ``1 - completed/entered``.

    None when nobody entered (0/0 is no evidence of anything, not a rate of 0). Counts must
    be validated ones: 0 <= completed <= entered, so the rate is in [0, 1].
    """
    if entered < 0 or completed < 0 or completed > entered:
        raise ValueError(f"need 0 <= completed <= entered, got entered={entered}, {completed=}")
    if entered == 0:
        return None
    return 1.0 - completed / entered


@dataclass(frozen=True)
class MetricsRow:
    """One validated row of a metrics file."""

    row: int
    """The data row in the file, counted from 1 below the header (as in error messages)."""
    step: str
    period: Period | None
    entered: int
    completed: int
    values: dict[str, Number | None] = field(default_factory=dict)
    """The other numeric columns present (median_time_s, support_contacts, ..., extras)."""
    groups: dict[str, str] = field(default_factory=dict)
    """The group columns' values, e.g. ``{"channel": "web"}``."""

    @property
    def drop_off_rate(self) -> float | None:
        """``1 - completed/entered``, None when entered is 0 (see ``drop_off_rate``)."""
        return drop_off_rate(self.entered, self.completed)

    @property
    def median_time_s(self) -> float | None:
        """Median time on the step in seconds, when the file has it."""
        value = self.values.get("median_time_s")
        return None if value is None else float(value)

    @property
    def support_contacts(self) -> int | None:
        """Support contacts about the step, when the file has them."""
        value = self.values.get("support_contacts")
        return None if value is None else int(value)

    @property
    def escalations(self) -> int | None:
        """Escalated contacts about the step, when the file has them."""
        value = self.values.get("escalations")
        return None if value is None else int(value)


@dataclass(frozen=True)
class StepMetrics:
    """A validated metrics file: its rows plus what the report needs to know about its shape."""

    source: Path
    journey_steps: tuple[str, ...]
    """The journey's step ids in journey order, to order ``steps()``."""
    rows: tuple[MetricsRow, ...]
    """Rows in file order."""
    period_kind: PeriodKind | None
    """The one period size of the file; None when it has no period column."""
    group_columns: tuple[str, ...]
    """Non-numeric extra columns (or those named as groups), e.g. ``("channel",)``."""
    metric_columns: tuple[str, ...]
    """The optional known numeric columns present (median_time_s, support_contacts, ...)."""
    extra_columns: tuple[str, ...]
    """Other numeric columns, carried through to the report as they are."""

    def steps(self) -> list[str]:
        """The step ids that have rows, in journey order."""
        present = {row.step for row in self.rows}
        return [step for step in self.journey_steps if step in present]

    def periods(self) -> list[Period]:
        """The distinct periods, oldest first; empty when the file has no periods."""
        return sorted({row.period for row in self.rows if row.period is not None})

    @staticmethod
    def drop_off_rate(entered: int, completed: int) -> float | None:
        """``1 - completed/entered``; None when entered is 0. Sum counts before calling it."""
        return drop_off_rate(entered, completed)


def load_metrics(
    path: str | Path,
    journey: Journey,
    *,
    group_columns: Sequence[str] = (),
    encoding: str = "utf-8",
) -> StepMetrics:
    """Read and validate a step metrics file against ``journey``.

    ``group_columns`` names columns that group rows even though their values look like numbers
    (e.g. a numeric store id); other extra columns are groups when their values are mostly
    not numbers. Raises MetricsError listing every problem, or InputFileError when the file
    itself cannot be read.
    """
    table = _MetricsTable(Path(path), encoding)
    records = [
        (chunk.start + offset + 1, row)
        for chunk in table.chunks()
        for offset, row in enumerate(chunk.rows)
    ]
    return validate_metrics(table.columns, records, journey, table.path, group_columns)


def metrics_from_rows(
    rows: Sequence[dict[str, Any]],
    journey: Journey,
    *,
    source: str = "metrics",
    group_columns: Sequence[str] = (),
) -> StepMetrics:
    """Validate metric rows that arrive as objects (the service's ``PUT /v1/metrics``).

    The same checks as ``load_metrics``; rows are numbered from 1 in the order given and
    ``source`` names them in messages. The columns are those of all rows, in first-seen order.
    """
    columns = list(dict.fromkeys(key for row in rows for key in row))
    records = [(number, dict(row)) for number, row in enumerate(rows, start=1)]
    return validate_metrics(
        columns, records, journey, Path(source), group_columns, "rows count from 1 as sent"
    )


def validate_metrics(
    columns: list[str],
    records: list[tuple[int, Row]],
    journey: Journey,
    source: Path,
    group_columns: Sequence[str] = (),
    counting: str = "data rows count from 1 below the header",
) -> StepMetrics:
    """Check numbered raw rows against ``journey``; MetricsError lists every problem."""
    problems = _Problems(columns)
    layout = _Layout.from_columns(columns, records, group_columns, problems)
    if not records:
        problems.add(None, None, "the file has a header but no data rows")
    rows = [_check_row(number, raw, layout, journey, problems) for number, raw in records]
    if layout.has(PERIOD):
        _check_periods(rows, records, problems)
    _check_duplicates(rows, layout, set(journey.step_ids), problems)
    problems.raise_if_any(source, journey, counting)
    metrics = StepMetrics(
        source=source,
        journey_steps=tuple(journey.step_ids),
        rows=tuple(rows),
        period_kind=period_kind(row.period for row in rows if row.period is not None),
        group_columns=layout.groups,
        metric_columns=layout.known_values,
        extra_columns=layout.extras,
    )
    logger.info(
        "%s: %d metric rows; steps: %d, periods: %s, groups: %s",
        source,
        len(metrics.rows),
        len(metrics.steps()),
        metrics.period_kind or "none",
        ", ".join(metrics.group_columns) or "none",
    )
    return metrics


class _MetricsTable(Table):
    """A Table for a metrics file, which has counts and no text column.

    ``Table`` insists on a text column; pointing it (and the id) at ``step`` keeps its readers,
    chunking and file checks. A missing ``step`` column is not raised here but reported by
    ``load_metrics`` together with any other missing column.
    """

    def __init__(self, path: Path, encoding: str) -> None:
        super().__init__(path, text_column=STEP, id_column=STEP, encoding=encoding)

    def require_column(self, name: str, role: str, option: str, alternative: str = "") -> None:
        """Defer the check for ``step``; others behave as in Table."""
        if name != STEP:
            super().require_column(name, role, option, alternative)


class _Problems:
    """Problems found so far, each tied to a data row and column, sorted for the message."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self.items: list[tuple[int, int, str]] = []
        self.unknown_steps = False

    def add(self, row: int | None, column: str | Sequence[str] | None, message: str) -> None:
        names = [column] if isinstance(column, str) else list(column or [])
        where = []
        if row is not None:
            where.append(f"data row {row}")
        if names:
            quoted = ", ".join(repr(name) for name in names)
            where.append(f"column{'s' if len(names) > 1 else ''} {quoted}")
        prefix = ", ".join(where)
        position = self.columns.index(names[0]) if names and names[0] in self.columns else -1
        self.items.append((row or 0, position, f"{prefix}: {message}" if prefix else message))

    def raise_if_any(
        self,
        source: Path,
        journey: Journey,
        counting: str = "data rows count from 1 below the header",
    ) -> None:
        if not self.items:
            return
        lines = [text for _, _, text in sorted(self.items, key=lambda item: item[:2])]
        shown = lines[:MAX_PROBLEMS]
        if len(lines) > MAX_PROBLEMS:
            shown.append(f"and {len(lines) - MAX_PROBLEMS} more problems")
        count = f"{len(lines)} problem{'s' if len(lines) > 1 else ''}"
        message = f"{source}: {count} in the step metrics ({counting}):\n" + "\n".join(
            f"  - {line}" for line in shown
        )
        if self.unknown_steps:
            message += f"\nThe steps of journey {journey.name!r} are: {', '.join(journey.step_ids)}"
        raise MetricsError(message)


@dataclass(frozen=True)
class _Layout:
    """Which columns of the file play which part."""

    present: frozenset[str]
    known_values: tuple[str, ...]
    extras: tuple[str, ...]
    groups: tuple[str, ...]

    @classmethod
    def from_columns(
        cls,
        columns: list[str],
        records: list[tuple[int, Row]],
        named_groups: Sequence[str],
        problems: _Problems,
    ) -> _Layout:
        for name in REQUIRED_COLUMNS:
            if name not in columns:
                problems.add(
                    None,
                    name,
                    f"missing (required){_did_you_mean(name, columns)}; "
                    f"the columns are: {', '.join(repr(column) for column in columns)}",
                )
        for name in named_groups:
            if name in KNOWN_COLUMNS:
                problems.add(None, name, "is a metrics column, it cannot be a group column")
            elif name not in columns:
                problems.add(None, name, "named as a group column but not in the file")
        known_values = tuple(c for c in columns if c in OPTIONAL_COUNTS + OPTIONAL_AMOUNTS)
        extras, groups = [], []
        for name in columns:
            if name in KNOWN_COLUMNS:
                continue
            if name in named_groups or not _mostly_numbers(row.get(name) for _, row in records):
                groups.append(name)
            else:
                extras.append(name)
        return cls(frozenset(columns), known_values, tuple(extras), tuple(groups))

    def has(self, column: str) -> bool:
        """Whether the file has this column."""
        return column in self.present


def _check_row(
    number: int, raw: Row, layout: _Layout, journey: Journey, problems: _Problems
) -> MetricsRow:
    """Check one row's cells, adding a problem for each bad one (the row is then unused)."""

    def cell(column: str, parse: Callable[[Any], Any]) -> Any:
        try:
            return parse(raw.get(column))
        except ValueError as exc:
            problems.add(number, column, str(exc))
            return None

    step = as_text(raw.get(STEP)).strip()
    if layout.has(STEP):
        if not step:
            problems.add(number, STEP, f"empty; give a step id of journey {journey.name!r}")
        elif step not in journey.step_ids:
            guess = _did_you_mean(step, journey.step_ids)
            problems.add(number, STEP, f"{step!r} is not a step of journey {journey.name!r}{guess}")
            problems.unknown_steps = True
    entered = cell(ENTERED, _required_count) if layout.has(ENTERED) else None
    completed = cell(COMPLETED, _required_count) if layout.has(COMPLETED) else None
    if entered is not None and completed is not None and completed > entered:
        problems.add(
            number,
            COMPLETED,
            f"{completed} is more than entered ({entered}); completed counts those who "
            "entered the step and finished it",
        )
    period = cell(PERIOD, _period) if layout.has(PERIOD) else None
    values: dict[str, Number | None] = {}
    for column in layout.known_values:
        values[column] = cell(column, _count if column in OPTIONAL_COUNTS else _amount)
    for column in layout.extras:
        values[column] = cell(column, _number)
    groups = {column: as_text(raw.get(column)).strip() for column in layout.groups}
    return MetricsRow(number, step, period, entered or 0, completed or 0, values, groups)


def _check_periods(
    rows: list[MetricsRow], records: list[tuple[int, Row]], problems: _Problems
) -> None:
    """Every row has a period once any does, and all periods are of one kind."""
    dated = [row for row in rows if row.period is not None]
    if not dated:
        return  # an all-empty period column: the file has no periods
    cells = {number: as_text(raw.get(PERIOD)).strip() for number, raw in records}
    for row in rows:
        if row.period is None and not cells[row.row]:
            problems.add(
                row.row, PERIOD, "empty, but other rows have a period; every row needs one"
            )
    kinds = Counter(row.period.kind for row in dated if row.period is not None)
    if len(kinds) < 2:
        return
    main, count = kinds.most_common(1)[0]
    example = next(row for row in dated if row.period is not None and row.period.kind == main)
    for row in dated:
        if row.period is not None and row.period.kind != main:
            problems.add(
                row.row,
                PERIOD,
                f"{cells[row.row]!r} is a {row.period.kind}, but {_rows(count)} {main}s "
                f"(e.g. {cells[example.row]!r} in data row {example.row}); "
                "use one period size in a file",
            )


def _check_duplicates(
    rows: list[MetricsRow], layout: _Layout, steps: set[str], problems: _Problems
) -> None:
    """One row per step, period and group: a repeated key would be counted twice."""
    with_period = layout.has(PERIOD) and any(row.period is not None for row in rows)
    key_columns = [STEP, *([PERIOD] if with_period else []), *layout.groups]
    first_seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        if row.step not in steps or (with_period and row.period is None):
            continue  # already reported: the key is unknown
        key = (
            row.step,
            *([row.period] if with_period else []),
            *(row.groups[name] for name in layout.groups),
        )
        if key not in first_seen:
            first_seen[key] = row.row
            continue
        shown = ", ".join(
            f"{name} {value!r}" for name, value in zip(key_columns, _labels(key), strict=True)
        )
        hint = (
            f" (if {_or(layout.extras)} tells these rows apart, name it as a group column)"
            if layout.extras
            else ""
        )
        problems.add(
            row.row,
            key_columns,
            f"repeats data row {first_seen[key]} ({shown}); the file needs one row per "
            f"{_and(key_columns)}{hint}",
        )


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _rows(count: int) -> str:
    return "1 row has" if count == 1 else f"{count} rows have"


def _or(names: Sequence[str]) -> str:
    quoted = [repr(name) for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _labels(key: tuple[Any, ...]) -> list[str]:
    return [value.label if isinstance(value, Period) else str(value) for value in key]


def _number(value: Any) -> Number | None:
    """A cell as a number; None when empty or NaN; ValueError saying why it is not one."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is true/false, not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if "_" in text:
            raise ValueError(f"{value!r} is not a number")
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            hint = " (write it without thousands separators)" if "," in text else ""
            raise ValueError(f"{value!r} is not a number{hint}") from None
    else:
        raise ValueError(f"{as_text(value)!r} is not a number")
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise ValueError(f"{as_text(value)!r} is not a finite number")
    return number


def _amount(value: Any) -> Number | None:
    """An optional non-negative number (a time in seconds)."""
    number = _number(value)
    if number is not None and number < 0:
        raise ValueError(f"{_show(number)} is negative; it must be 0 or more")
    return number


def _count(value: Any) -> int | None:
    """An optional count: a whole number, 0 or more (``120.0`` from a float column is 120)."""
    number = _amount(value)
    if number is None:
        return None
    if isinstance(number, float):
        if not number.is_integer():
            raise ValueError(f"{_show(number)} is not a whole number; counts are whole numbers")
        return int(number)
    return number


def _required_count(value: Any) -> int:
    """A required count: empty cells are a problem."""
    number = _count(value)
    if number is None:
        raise ValueError("empty; a count (0 or more) is required")
    return number


def _period(value: Any) -> Period | None:
    """A period cell: a period string, or a date (a day) from a typed column; None when empty."""
    if isinstance(value, datetime):
        if value.time() != time(0) or value.tzinfo is not None:
            raise ValueError(f"'{value.isoformat()}' is a timestamp, not a period")
        return Period("day", value.date())
    if isinstance(value, date):
        return Period("day", value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = as_text(value).strip()
    return parse_period(text) if text else None


def _mostly_numbers(values: Iterable[Any]) -> bool:
    """Whether most non-empty cells are numbers: such a column is a numeric one with typos."""
    numbers = others = 0
    for value in values:
        try:
            if _number(value) is not None:
                numbers += 1
        except ValueError:
            others += 1
    return numbers > others or numbers == others == 0


def _did_you_mean(name: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for a near miss (same letters in another case first), else ''."""
    lowered = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.75)
    match = lowered.get(name.lower()) or (close[0] if close else None)
    return f" (did you mean {match!r}?)" if match else ""


def _show(number: Number) -> str:
    return str(int(number)) if isinstance(number, float) and number.is_integer() else str(number)


def funnel_totals(metrics: StepMetrics) -> dict[tuple[str, Period], tuple[int, int]]:
    """(entered, completed) per (step, period), summed over group rows; rows without a period
    are left out. Shared by the change tests and the conversion correlations."""
    totals: dict[tuple[str, Period], tuple[int, int]] = {}
    for row in metrics.rows:
        if row.period is None:
            continue
        entered, completed = totals.get((row.step, row.period), (0, 0))
        totals[(row.step, row.period)] = (entered + row.entered, completed + row.completed)
    return totals
