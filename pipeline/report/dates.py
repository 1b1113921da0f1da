"""Dates as survey and help-desk tools export them, read the way the whole column is written.

A column is read one way for every row, chosen from the data (or given as ``--date-format``):

- ISO dates and timestamps (``2018-04-11``, ``2018-04-11 20:09:00+01:00``, ``...T20:09:00Z``);
- year-first dates with ``/`` or ``.`` (Google Forms' ``2018/04/11 8:09:00 PM GMT+1``) and dates
  that name their month (``Apr 11, 2018 8:09 PM``, ``Wed, 11 April 2018``), whose order is not
  in doubt;
- day-first or month-first numeric dates (``11/04/2018 20:09``, ``04.11.2018``, ``11-04-18``,
  a time as 24-hour or AM/PM, a zone such as ``CEST`` or ``+01:00`` after it):
  the order is the one the data proves, a first field over 12 (day-first) or a second field over
  12 (month-first); a column where no value decides is ambiguous and refused with a request for
  ``--date-format`` rather than guessed;
- Excel serial dates (days since 1899-12-30, as a spreadsheet stores them) and Unix timestamps
  (seconds or milliseconds), when every value is a number in that range;
- any ``strptime`` format given with ``--date-format`` (``%d.%m.%Y %H:%M``).

The calendar date is taken as written (a timestamp's offset is not converted), as
:func:`steplens.pipeline.report.periods.bucket` does. The reading is said in the report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

from steplens.pipeline.errors import SteplensError

ReadingKind = Literal[
    "iso",
    "year-first",
    "month-name",
    "day-first",
    "month-first",
    "excel-serial",
    "unix-seconds",
    "unix-ms",
    "format",
    "dates",
]
SAMPLE = 20_000
"""Values read to decide a column's reading (a file's first ones; the order is rarely mixed)."""
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_SERIALS = (20_000, 80_000)  # 1954 to 2119
UNIX_SECONDS = (1e8, 5e9)  # 1973 to 2128
UNIX_MS = (1e11, 5e12)
ZONE_NAMES = (
    "UTC", "GMT", "Z", "WET", "WEST", "BST", "IST", "CET", "CEST", "EET", "EEST", "MSK",
    "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "AKST", "AKDT", "HST",
    "AEST", "AEDT", "ACST", "AWST", "NZST", "NZDT", "JST", "KST", "SGT", "HKT",
)  # fmt: skip
"""Zone names read in any case after a time; other zones are read when written in capitals
(``AST``, ``SAST``, ``BRT``). An offset may follow (``GMT+1``, ``UTC-05:00``)."""
_ZONE = (
    r"(?:\s*(?:(?:" + "|".join(ZONE_NAMES) + r"|(?-i:[A-Z]{2,5}))(?:\s*[+-]\d{1,2}(?::?\d{2})?)?"
    r"|[+-]\d{2}:?\d{2}))?"
)
_TIME = r"(?:[ T,]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?" + _ZONE + r")?"
"""A time (24-hour or AM/PM), then maybe a zone: only after a time, so ``2018/04/11 ABC`` is
not a date. Each whitespace run has one place to go, so a long one cannot make matching slow."""
_FLAGS = re.IGNORECASE | re.ASCII
_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})" + _TIME, _FLAGS)
"""Day-first or month-first: ``11/04/2018 20:09``, ``04.11.2018``, ``4/11/18 8:09 PM``."""
_YEAR_FIRST = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})" + _TIME, _FLAGS)
"""Year first with slashes or dots (Google Forms: ``2018/04/11 8:09:00 PM GMT+1``)."""
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?"
_MONTH_NAME = re.compile(
    r"(?:" + _WEEKDAY + r"\.?,?\s+)?"
    r"(?:(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>" + _MONTH + r")\.?,?"
    r"|(?P<month2>" + _MONTH + r")\.?\s+(?P<day2>\d{1,2})(?:st|nd|rd|th)?,?)"
    r"\s+(?P<year>\d{4})" + _TIME,
    _FLAGS,
)
"""A month by name, day first or second: ``Apr 11, 2018 8:09 PM``, ``Wed, 11 April 2018``."""


@dataclass(frozen=True)
class DateReading:
    """How one column's dates are read, and why."""

    kind: ReadingKind
    why: str
    format: str | None = None

    def describe(self, column: str) -> str:
        """One sentence for the report and the terminal."""
        names = {
            "iso": "ISO dates",
            "year-first": "year-first dates (yyyy/mm/dd)",
            "month-name": "dates with month names (Apr 11, 2018)",
            "day-first": "day-first dates (dd/mm/yyyy)",
            "month-first": "month-first dates (mm/dd/yyyy)",
            "excel-serial": "Excel serial dates",
            "unix-seconds": "Unix timestamps in seconds",
            "unix-ms": "Unix timestamps in milliseconds",
            "format": f"dates in the format {self.format!r}",
            "dates": "dates",
        }
        return f"{column!r} read as {names[self.kind]}: {self.why}."

    def parse(self, value: Any) -> date:
        """The calendar date of one value; ValueError when it is not one in this reading."""
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if self.kind in ("excel-serial", "unix-seconds", "unix-ms"):
            number = _number(value)
            if number is None:
                raise ValueError(f"{value!r} is not a number")
            if self.kind == "excel-serial":
                return EXCEL_EPOCH + timedelta(days=int(number))
            seconds = number / 1000 if self.kind == "unix-ms" else number
            return datetime.fromtimestamp(seconds, tz=timezone.utc).date()
        text = str(value).strip()
        if self.kind == "format":
            assert self.format is not None
            return datetime.strptime(text, self.format).date()
        if self.kind in ("day-first", "month-first"):
            match = _NUMERIC.fullmatch(text)
            if match is None:
                return _unambiguous(text)  # an ISO value among them is still a date
            first, second, year = int(match[1]), int(match[2]), int(match[3])
            day, month = (first, second) if self.kind == "day-first" else (second, first)
            return date(year + 2000 if year < 100 else year, month, day)
        return _unambiguous(text)


def detect_reading(
    values: Iterable[Any], column: str, date_format: str | None = None
) -> DateReading:
    """The reading of a column's values (see the module docstring); ``date_format`` wins."""
    if date_format is not None:
        if "%" not in date_format:
            raise SteplensError(
                f"--date-format {date_format!r} has no % codes; write it for Python's strptime, "
                "e.g. '%d/%m/%Y %H:%M' or '%m/%d/%Y'"
            )
        return DateReading("format", "as given with --date-format", date_format)
    texts: list[str] = []
    numbers: list[float] = []
    typed = 0
    for value in values:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, date):
            typed += 1
            continue
        if isinstance(value, str) and not value.strip():
            continue
        number = _number(value)
        if number is not None:
            numbers.append(number)
        else:
            texts.append(str(value).strip())
        if len(texts) + len(numbers) + typed >= SAMPLE:
            break
    if numbers and not texts:
        return _numeric_reading(numbers)
    day_first = month_first = 0
    numeric_dates = 0
    for text in texts:
        match = _NUMERIC.fullmatch(text)
        if match is None:
            continue
        numeric_dates += 1
        first, second = int(match[1]), int(match[2])
        day_first += first > 12
        month_first += second > 12
    if numeric_dates == 0:
        return _unambiguous_reading(texts)
    if day_first and month_first:
        raise SteplensError(
            f"column {column!r} mixes day-first dates (e.g. a first field over 12 in "
            f"{day_first} values) and month-first ones ({month_first} values); say which with "
            "--date-format, e.g. '%d/%m/%Y %H:%M'"
        )
    if day_first:
        return DateReading("day-first", f"{_values(day_first)} a first field over 12")
    if month_first:
        return DateReading("month-first", f"{_values(month_first)} a second field over 12")
    example = next(t for t in texts if _NUMERIC.fullmatch(t))
    raise SteplensError(
        f"column {column!r} holds dates like {example!r} that read either day-first or "
        f"month-first, and no value decides (none has a field over 12); say which with "
        "--date-format '%d/%m/%Y' or --date-format '%m/%d/%Y' (add ' %H:%M' for a time)"
    )


def _numeric_reading(numbers: list[float]) -> DateReading:
    low, high = min(numbers), max(numbers)
    for kind, (start, end), why in (
        ("excel-serial", EXCEL_SERIALS, "every value is a number of days as Excel stores dates"),
        ("unix-seconds", UNIX_SECONDS, "every value is a number of seconds since 1970"),
        ("unix-ms", UNIX_MS, "every value is a number of milliseconds since 1970"),
    ):
        if start <= low and high <= end:
            return DateReading(kind, why)  # type: ignore[arg-type]
    raise SteplensError(
        f"the date column holds numbers from {low:g} to {high:g}: neither Excel serial dates "
        "nor Unix timestamps; give --date-format for another layout"
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*", value):
        return float(value)
    return None


def _values(count: int) -> str:
    """``1 value has`` / ``3 values have``, to start a reason."""
    return f"{count} value has" if count == 1 else f"{count} values have"


def _unambiguous_reading(texts: list[str]) -> DateReading:
    """The reading of values that say their own order: ISO, year first, or a month by name."""
    if not texts:
        return DateReading("dates", "the values are dates")
    year_first = sum(bool(_YEAR_FIRST.fullmatch(t)) for t in texts)
    named = sum(bool(_MONTH_NAME.fullmatch(t)) for t in texts)
    if year_first and year_first >= named and year_first * 2 >= len(texts):
        return DateReading("year-first", f"{_values(year_first)} the year first (yyyy/mm/dd)")
    if named and named * 2 >= len(texts):
        return DateReading("month-name", f"{_values(named)} a month by name")
    return DateReading("iso", "the values are ISO dates or timestamps")


def _unambiguous(text: str) -> date:
    """The date of a value whose field order is not in doubt (see ``_unambiguous_reading``)."""
    match = _YEAR_FIRST.fullmatch(text)
    if match is not None:
        return date(int(match[1]), int(match[2]), int(match[3]))
    named = _MONTH_NAME.fullmatch(text)
    if named is not None:
        month = _MONTHS[(named["month"] or named["month2"]).casefold()]
        return date(int(named["year"]), month, int(named["day"] or named["day2"]))
    from steplens.pipeline.report.periods import bucket

    return bucket(text, "day").start
