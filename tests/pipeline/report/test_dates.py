"""Dates as exports write them: one reading per column, proven by the data or asked for."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.report.dates import detect_reading


@pytest.mark.parametrize(
    ("values", "kind", "first"),
    [
        (["11/04/2018 20:09", "25/04/2018 08:15", ""], "day-first", date(2018, 4, 11)),
        (["04/11/2018", "04/25/2018 8:15 PM"], "month-first", date(2018, 4, 11)),
        (["11.04.2018", "13.04.2018"], "day-first", date(2018, 4, 11)),
        (["11-04-18", "14-04-18"], "day-first", date(2018, 4, 11)),
        (["2018-04-11 20:09:00+01:00", "2018-04-12T08:00:00Z"], "iso", date(2018, 4, 11)),
        ([43201, 43202.5], "excel-serial", date(2018, 4, 11)),
        (["43201"], "excel-serial", date(2018, 4, 11)),
        ([1523477340, 1523563740], "unix-seconds", date(2018, 4, 11)),
        ([1523477340000], "unix-ms", date(2018, 4, 11)),
        ([datetime(2018, 4, 11, 20, 9), None], "dates", date(2018, 4, 11)),
        # Google Forms' CSV timestamps; SurveyMonkey's US dates; zones after the time
        (
            ["2018/04/11 8:09:00 PM GMT+1", "2018/04/12 9:10:00 AM GMT+1"],
            "year-first",
            date(2018, 4, 11),
        ),
        (["04/11/2018 08:09:12 PM", "04/13/2018 10:09:12 AM"], "month-first", date(2018, 4, 11)),
        (["11/04/2018 20:09:00 CEST", "13/04/2018 20:09 +0100"], "day-first", date(2018, 4, 11)),
        (["04/11/2018 08:09 PM AST", "04/13/2018 8:09 pm gmt+1"], "month-first", date(2018, 4, 11)),
        (
            ["Apr 11, 2018 8:09 PM", "Wed, 12 April 2018 08:00:00 GMT"],
            "month-name",
            date(2018, 4, 11),
        ),
        (["Sept. 3rd, 2018", "2018-09-04"], "month-name", date(2018, 9, 3)),
    ],
)
def test_a_column_is_read_as_its_values_prove(values: list[object], kind: str, first: date) -> None:
    reading = detect_reading(values, "date")
    assert reading.kind == kind
    assert reading.parse(values[0]) == first
    assert "'date' read as" in reading.describe("date")


def test_an_ambiguous_column_asks_for_a_format() -> None:
    with pytest.raises(SteplensError, match=r"either day-first or month-first.*--date-format"):
        detect_reading(["01/02/2018", "03/04/2018"], "date")
    with pytest.raises(SteplensError, match="mixes day-first"):
        detect_reading(["13/01/2018", "01/13/2018"], "date")
    reading = detect_reading(["01/02/2018"], "date", "%m/%d/%Y")
    assert reading.parse("01/02/2018") == date(2018, 1, 2)
    with pytest.raises(SteplensError, match="no % codes"):
        detect_reading([], "date", "dd/mm/yyyy")


def test_a_value_outside_the_reading_is_not_a_date() -> None:
    reading = detect_reading(["25/04/2018", "not a date"], "date")
    with pytest.raises(ValueError):
        reading.parse("not a date")
    named = detect_reading(["Apr 11, 2018", "May 2, 2018", "Foo 12, 2018"], "date")
    assert named.kind == "month-name"
    with pytest.raises(ValueError):
        named.parse("Foo 12, 2018")
    unicode_month = detect_reading(["11 Aprıl 2018", "12 April 2018"], "date")
    with pytest.raises(ValueError):  # a dotless i is not the ASCII month name
        unicode_month.parse("11 Aprıl 2018")
    long_gap = "11/04/2018 20:09" + " " * 50_000 + "x"  # matched in linear time
    with pytest.raises(ValueError):
        detect_reading([long_gap], "date").parse(long_gap)
    for words in (["Sprint 12 2018", "Week 3 2019"], ["2018/04/11 ABC", "11/04/2018 ABC"]):
        reading = detect_reading(words, "date")  # words that only look like dates
        assert reading.kind == "iso"
        with pytest.raises(ValueError):
            reading.parse(words[0])
    with pytest.raises(ValueError):
        named.parse("2018/13/45")
