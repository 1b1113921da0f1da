"""Reporting periods: ISO dates, ISO weeks and months, parsed, ordered and used as buckets.

Step metrics come per period (a day ``2026-07-14``, an ISO week ``2026-W07`` or a month
``2026-02``), and comments are bucketed into the metrics' period size so the two line up. A
period is kept as its kind and its first day, so periods compare, sort and step forward by date
whatever way they were written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args

PeriodKind = Literal["day", "week", "month"]
PERIOD_KINDS: tuple[PeriodKind, ...] = get_args(PeriodKind)
"""The period sizes, smallest first."""

PERIOD_FORMATS = "an ISO date (2026-07-14), an ISO week (2026-W07) or a month (2026-02)"
"""The accepted ways to write a period, for error messages."""

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-[Ww](\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_ONE_DIGIT = re.compile(r"(\d{4})-([Ww]?)(\d)")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ].+)?")


@dataclass(frozen=True)
class Period:
    """One day, ISO week (Monday to Sunday) or calendar month, identified by its first day.

    Periods order by their first day (then by size, so the order is total); comparing periods
    of different kinds is allowed but rarely meaningful: a set of periods should share a kind
    (see ``period_kind``).
    """

    kind: PeriodKind
    start: date

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}; use one of {PERIOD_KINDS}")
        if isinstance(self.start, datetime) or not isinstance(self.start, date):
            raise ValueError(f"a period starts on a date, got {self.start!r}")
        if self.kind == "week" and self.start.isoweekday() != 1:
            raise ValueError(f"a week period starts on a Monday, got {self.start.isoformat()}")
        if self.kind == "month" and self.start.day != 1:
            raise ValueError(f"a month period starts on day 1, got {self.start.isoformat()}")

    @property
    def label(self) -> str:
        """The canonical way to write the period: ``2026-07-14``, ``2026-W07`` or ``2026-02``."""
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year:04d}-W{week:02d}"
        return f"{self.start.year:04d}-{self.start.month:02d}"

    @property
    def end(self) -> date:
        """The first day after the period (exclusive end)."""
        return self.next().start

    def next(self) -> Period:
        """The period of the same kind that follows this one."""
        if self.kind == "day":
            return Period("day", self.start + timedelta(days=1))
        if self.kind == "week":
            return Period("week", self.start + timedelta(days=7))
        year, month = divmod(self.start.month, 12)
        return Period("month", date(self.start.year + year, month + 1, 1))

    def __str__(self) -> str:
        return self.label

    def _key(self) -> tuple[date, int]:
        return (self.start, PERIOD_KINDS.index(self.kind))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() < other._key()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() <= other._key()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() > other._key()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() >= other._key()


def parse_period(text: str) -> Period:
    """Parse ``2026-07-14``, ``2026-W07`` or ``2026-02`` into a Period.

    Raises ValueError saying what is wrong (not a period at all, a week or month that does not
    exist, an impossible date), for errors that name the file, row and column.
    """
    value = text.strip() if isinstance(text, str) else text
    if not isinstance(value, str) or not value:
        raise ValueError(f"{text!r} is not a period; write {PERIOD_FORMATS}")
    if match := _DAY.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
        try:
            return Period("day", date(year, month, day))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a real date ({exc})") from None
    if match := _WEEK.fullmatch(value):
        year, week = (int(part) for part in match.groups())
        weeks = iso_weeks_in_year(year)
        if not 1 <= week <= weeks:
            raise ValueError(
                f"{value!r}: ISO week {week} does not exist; {year} has weeks 1-{weeks}"
            )
        return Period("week", date.fromisocalendar(year, week, 1))
    if match := _MONTH.fullmatch(value):
        year, month = (int(part) for part in match.groups())
        if not 1 <= month <= 12:
            raise ValueError(f"{value!r}: month {month} does not exist; months are 01-12")
        return Period("month", date(year, month, 1))
    if match := _ONE_DIGIT.fullmatch(value):
        year_text, week_mark, number = match.groups()
        suggestion = f"{year_text}-{week_mark.upper()}0{number}"
        raise ValueError(f"{value!r}: write weeks and months with two digits, e.g. {suggestion}")
    raise ValueError(f"{value!r} is not a period; write {PERIOD_FORMATS}")


def iso_weeks_in_year(year: int) -> int:
    """How many ISO weeks a year has (52 or 53): 28 December is always in the last one."""
    return date(year, 12, 28).isocalendar().week


def bucket(moment: date | datetime | str, kind: PeriodKind) -> Period:
    """The period of size ``kind`` that holds ``moment`` (a date, a datetime or an ISO string).

    Strings are ISO dates or timestamps (``2026-07-14``, ``2026-07-14T09:30:00Z``,
    ``2026-07-14 09:30:00+02:00``). The calendar date is taken as written: a timestamp's offset
    is not converted to UTC, so a comment sent at 23:30 local time stays on the day its author
    saw. Weeks are ISO weeks (Monday first, as ``date.isocalendar()``).
    """
    if kind not in PERIOD_KINDS:
        raise ValueError(f"unknown period kind {kind!r}; use one of {', '.join(PERIOD_KINDS)}")
    day = _as_date(moment)
    if kind == "day":
        return Period("day", day)
    if kind == "week":
        return Period("week", day - timedelta(days=day.isoweekday() - 1))
    return Period("month", day.replace(day=1))


def period_kind(periods: Iterable[Period]) -> PeriodKind | None:
    """The one kind all ``periods`` share, None when there are none.

    Raises ValueError naming each kind found, with how many periods and an example of each,
    when the periods mix kinds (weekly metrics cannot be compared with daily ones).
    """
    counts: Counter[PeriodKind] = Counter()
    examples: dict[PeriodKind, Period] = {}
    for period in periods:
        counts[period.kind] += 1
        examples.setdefault(period.kind, period)
    if not counts:
        return None
    if len(counts) == 1:
        return next(iter(counts))
    found = ", ".join(
        f"{count} {_plural(kind, count)} (e.g. {examples[kind].label})"
        for kind, count in counts.most_common()
    )
    raise ValueError(f"periods mix kinds: {found}; use one period size throughout")


def _plural(kind: PeriodKind, count: int) -> str:
    return kind if count == 1 else f"{kind}s"


def _as_date(moment: Any) -> date:
    """A date from a date, a datetime (its calendar date as written) or an ISO string."""
    if isinstance(moment, datetime):
        return moment.date()
    if isinstance(moment, date):
        return moment
    if isinstance(moment, str):
        text = moment.strip()
        if _TIMESTAMP.fullmatch(text):
            try:
                if len(text) == 10:
                    return date.fromisoformat(text)
                return datetime.fromisoformat(_utc_suffix(text)).date()
            except ValueError:
                pass
        raise ValueError(
            f"{moment!r} is not an ISO date or timestamp (e.g. 2026-07-14 or 2026-07-14T09:30:00Z)"
        )
    raise ValueError(f"cannot read a date from {type(moment).__name__} {moment!r}")


def _utc_suffix(text: str) -> str:
    """``Z`` as ``+00:00``, which every Python 3.11 ``fromisoformat`` path accepts."""
    return text[:-1] + "+00:00" if text[-1:] in {"Z", "z"} else text
