"""Periods: the three ways to write one, their order and steps, and bucketing timestamps."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from steplens.pipeline.report.periods import Period, bucket, parse_period, period_kind


@pytest.mark.parametrize(
    ("text", "kind", "start", "label"),
    [
        ("2026-07-14", "day", date(2026, 7, 14), "2026-07-14"),
        ("2026-W07", "week", date(2026, 2, 9), "2026-W07"),
        ("2026-w07", "week", date(2026, 2, 9), "2026-W07"),
        (" 2026-02 ", "month", date(2026, 2, 1), "2026-02"),
        ("2026-W53", "week", date(2026, 12, 28), "2026-W53"),  # 2026 has 53 ISO weeks
        ("2026-W01", "week", date(2025, 12, 29), "2026-W01"),  # week 1 starts in 2025
    ],
)
def test_parses_each_format_to_its_first_day_and_canonical_label(
    text: str, kind: str, start: date, label: str
) -> None:
    period = parse_period(text)
    assert (period.kind, period.start, period.label, str(period)) == (kind, start, label, label)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-W54", r"ISO week 54 does not exist; 2026 has weeks 1-53"),
        ("2025-W53", r"ISO week 53 does not exist; 2025 has weeks 1-52"),
        ("2026-W00", r"ISO week 0 does not exist"),
        ("2026-13", r"month 13 does not exist; months are 01-12"),
        ("2026-00", r"month 0 does not exist"),
        ("2026-02-30", r"'2026-02-30' is not a real date"),
        ("Feb 2026", r"'Feb 2026' is not a period; write an ISO date \(2026-07-14\), an ISO week"),
        ("2026/02", r"'2026/02' is not a period"),
        ("2026-07-14T09:30:00", r"is not a period"),
        ("", r"'' is not a period"),
        ("2026-W7", r"two digits, e.g. 2026-W07"),
        ("2026-2", r"two digits, e.g. 2026-02"),
    ],
)
def test_rejects_anything_else_saying_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_period(text)


def test_a_period_must_start_on_its_first_day() -> None:
    with pytest.raises(ValueError, match="starts on a Monday"):
        Period("week", date(2026, 7, 14))  # a Tuesday
    with pytest.raises(ValueError, match="starts on day 1"):
        Period("month", date(2026, 7, 14))
    with pytest.raises(ValueError, match="unknown period kind 'quarter'"):
        Period("quarter", date(2026, 7, 1))  # type: ignore[arg-type]


def test_next_and_end_cross_month_and_year_boundaries() -> None:
    assert parse_period("2026-02-28").next().label == "2026-03-01"
    assert parse_period("2026-W52").next().label == "2026-W53"
    assert parse_period("2026-W53").next().label == "2027-W01"
    assert parse_period("2026-12").next().label == "2027-01"
    assert parse_period("2026-02").end == date(2026, 3, 1)
    assert parse_period("2026-W53").end == date(2027, 1, 4)


def test_periods_sort_by_date_and_equal_spellings_are_one_period() -> None:
    weeks = [parse_period(text) for text in ("2026-W10", "2025-W52", "2026-W02", "2026-w02")]
    assert [period.label for period in sorted(set(weeks))] == ["2025-W52", "2026-W02", "2026-W10"]
    assert parse_period("2026-01") < parse_period("2026-02") <= parse_period("2026-02")
    assert parse_period("2026-03") > parse_period("2026-02-28")
    # Different kinds starting the same day still have a fixed order: the smaller one first.
    assert parse_period("2026-06-01") < parse_period("2026-06")


@pytest.mark.parametrize(
    ("moment", "kind", "label"),
    [
        (date(2026, 7, 14), "week", "2026-W29"),
        (datetime(2026, 7, 14, 23, 59), "day", "2026-07-14"),
        ("2026-07-14", "month", "2026-07"),
        ("2026-07-14T09:30:00Z", "week", "2026-W29"),
        ("2026-07-14T09:30:00.123+02:00", "day", "2026-07-14"),
        ("2026-07-14 23:30:00-05:00", "day", "2026-07-14"),  # the date as written, not UTC
        (" 2027-01-01 ", "week", "2026-W53"),  # a Friday in ISO week 53 of 2026
        ("2024-12-30", "week", "2025-W01"),  # a Monday in ISO week 1 of 2025
        (datetime(2026, 3, 31, tzinfo=timezone.utc), "month", "2026-03"),
    ],
)
def test_bucket_maps_dates_timestamps_and_strings(
    moment: date | str, kind: str, label: str
) -> None:
    assert bucket(moment, kind).label == label  # type: ignore[arg-type]


def test_week_buckets_agree_with_isocalendar_for_two_years() -> None:
    day = date(2025, 12, 1)
    for _ in range(731):
        year, week, _weekday = day.isocalendar()
        period = bucket(day, "week")
        assert period.label == f"{year}-W{week:02d}"
        assert period.start <= day < period.end
        assert parse_period(period.label) == period
        day += timedelta(days=1)


@pytest.mark.parametrize("text", ["14/07/2026", "2026-07-14T25:00:00", "yesterday", "2026-07"])
def test_bucket_rejects_text_that_is_not_an_iso_date(text: str) -> None:
    with pytest.raises(ValueError, match="is not an ISO date or timestamp"):
        bucket(text, "day")


def test_bucket_rejects_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown period kind 'year'"):
        bucket("2026-07-14", "year")  # type: ignore[arg-type]


def test_period_kind_is_the_shared_kind_or_names_the_mix() -> None:
    assert period_kind([]) is None
    assert period_kind(parse_period(t) for t in ("2026-W01", "2026-W02")) == "week"
    mixed = [parse_period(t) for t in ("2026-W01", "2026-W02", "2026-W03", "2026-07-14")]
    with pytest.raises(ValueError) as raised:
        period_kind(mixed)
    message = str(raised.value)
    assert "3 weeks (e.g. 2026-W01)" in message
    assert "1 day (e.g. 2026-07-14)" in message
