"""Step metrics files: the sample loads, every format reads the same, bad rows are all named."""

from __future__ import annotations

import csv
import math
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from steplens.pipeline.errors import InputFileError, SteplensError
from steplens.pipeline.journey import Journey, load_journey
from steplens.pipeline.paths import samples_dir
from steplens.pipeline.report.metrics import (
    MAX_PROBLEMS,
    MetricsError,
    StepMetrics,
    drop_off_rate,
    load_metrics,
)
from steplens.pipeline.report.periods import parse_period

SAMPLE = samples_dir() / "ecommerce_metrics.csv"
HEADER = "step,period,entered,completed"


@pytest.fixture(scope="module")
def journey() -> Journey:
    return load_journey("ecommerce")


def write(tmp_path: Path, text: str, name: str = "metrics.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def write_parquet(tmp_path: Path, columns: dict[str, list[Any]], name: str = "m.parquet") -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / name
    pq.write_table(pa.table(columns), path)
    return path


def problems_of(path: Path, journey: Journey, **options: Any) -> list[str]:
    """The listed problems of a rejected file (the lines after the summary line)."""
    with pytest.raises(MetricsError) as raised:
        load_metrics(path, journey, **options)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    return [line[4:] for line in message.splitlines() if line.startswith("  - ")]


# The happy path: the bundled sample.


def test_loads_the_bundled_sample(journey: Journey) -> None:
    metrics = load_metrics(SAMPLE, journey)
    assert len(metrics.rows) == 96
    assert metrics.steps() == journey.step_ids  # all 12 steps, in journey order
    assert [period.label for period in metrics.periods()] == [f"2026-W{w}" for w in range(27, 35)]
    assert metrics.period_kind == "week"
    assert metrics.metric_columns == ("median_time_s", "support_contacts")
    assert metrics.extra_columns == () and metrics.group_columns == ()

    first = metrics.rows[0]
    assert (first.row, first.step, first.period) == (1, "discovery", parse_period("2026-W27"))
    assert (first.entered, first.completed) == (117242, 81338)
    assert first.median_time_s == 97.0 and first.support_contacts == 16
    assert first.escalations is None  # the sample has no escalations column

    checkout = {str(row.period): row for row in metrics.rows if row.step == "checkout"}
    w27, w34 = checkout["2026-W27"], checkout["2026-W34"]
    assert w27.drop_off_rate == pytest.approx(1 - 14085 / 18091)
    assert w34.drop_off_rate == pytest.approx(1 - 10736 / 18113)
    assert w34.drop_off_rate is not None and w27.drop_off_rate is not None
    assert w34.drop_off_rate > w27.drop_off_rate + 0.15  # the planted worsening
    assert w34.support_contacts == 269


def test_parquet_and_tsv_read_the_same_as_csv(tmp_path: Path, journey: Journey) -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns: dict[str, list[Any]] = {name: [row[name] for row in rows] for name in rows[0]}
    for name in ("entered", "completed", "median_time_s", "support_contacts"):
        columns[name] = [int(value) for value in columns[name]]
    from_parquet = load_metrics(write_parquet(tmp_path, columns), journey)
    tsv = "".join("\t".join(line) + "\n" for line in [list(rows[0]), *(r.values() for r in rows)])
    from_tsv = load_metrics(write(tmp_path, tsv, "metrics.tsv"), journey)
    from_csv = load_metrics(SAMPLE, journey)
    assert from_parquet.rows == from_csv.rows == from_tsv.rows
    assert from_parquet.period_kind == "week"


def test_parquet_typed_columns_dates_and_missing_values(tmp_path: Path, journey: Journey) -> None:
    path = write_parquet(
        tmp_path,
        {
            "step": ["checkout", "basket"],
            "period": [date(2026, 7, 14), date(2026, 7, 15)],
            "entered": [100.0, 50.0],  # counts exported as floats are fine when whole
            "completed": [80, 50],
            "median_time_s": [12.5, float("nan")],  # NaN is a missing value
        },
    )
    metrics = load_metrics(path, journey)
    assert metrics.period_kind == "day"
    assert [row.period.label for row in metrics.rows if row.period] == ["2026-07-14", "2026-07-15"]
    assert [row.entered for row in metrics.rows] == [100, 50]
    assert isinstance(metrics.rows[0].entered, int)
    assert [row.median_time_s for row in metrics.rows] == [12.5, None]


def test_group_and_extra_numeric_columns(tmp_path: Path, journey: Journey) -> None:
    path = write(
        tmp_path,
        "step,period,channel,entered,completed,page_views,escalations\n"
        "checkout,2026-02,web,100,70,1500.5,3\n"
        "checkout,2026-02,app,80,60,,\n"
        "basket,2026-03,web,90,90,12,0\n",
    )
    metrics = load_metrics(path, journey)
    assert metrics.group_columns == ("channel",)
    assert metrics.extra_columns == ("page_views",)
    assert metrics.metric_columns == ("escalations",)
    assert metrics.period_kind == "month"
    assert [row.groups for row in metrics.rows] == [{"channel": c} for c in ("web", "app", "web")]
    assert [row.values["page_views"] for row in metrics.rows] == [1500.5, None, 12]
    assert [row.escalations for row in metrics.rows] == [3, None, 0]
    assert metrics.steps() == ["basket", "checkout"]  # journey order, not file order
    assert [p.label for p in metrics.periods()] == ["2026-02", "2026-03"]


def test_a_numeric_column_named_as_a_group_tells_rows_apart(
    tmp_path: Path, journey: Journey
) -> None:
    path = write(tmp_path, "step,store,entered,completed\ncheckout,101,5,4\ncheckout,102,6,4\n")
    duplicate = problems_of(path, journey)
    assert duplicate == [
        "data row 2, column 'step': repeats data row 1 (step 'checkout'); the file needs one "
        "row per step (if 'store' tells these rows apart, name it as a group column)"
    ]
    metrics = load_metrics(path, journey, group_columns=["store"])
    assert metrics.group_columns == ("store",) and metrics.extra_columns == ()
    assert metrics.period_kind is None and metrics.periods() == []
    assert [row.groups["store"] for row in metrics.rows] == ["101", "102"]


def test_an_all_empty_period_column_means_no_periods(tmp_path: Path, journey: Journey) -> None:
    metrics = load_metrics(write(tmp_path, f"{HEADER}\ncheckout,,5,4\nbasket,,3,3\n"), journey)
    assert metrics.period_kind is None
    assert [row.period for row in metrics.rows] == [None, None]


def test_drop_off_rate_semantics(tmp_path: Path, journey: Journey) -> None:
    assert drop_off_rate(200, 150) == pytest.approx(0.25)
    assert drop_off_rate(10, 10) == 0.0
    assert drop_off_rate(0, 0) is None  # nobody entered: no rate, not a rate of 0
    assert StepMetrics.drop_off_rate(4, 1) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="0 <= completed <= entered"):
        drop_off_rate(5, 6)
    metrics = load_metrics(write(tmp_path, f"{HEADER}\ncheckout,2026-W01,0,0\n"), journey)
    assert metrics.rows[0].drop_off_rate is None


# Rejections: one per rule, each naming the data row and the column.


def test_missing_required_columns_are_listed_together(tmp_path: Path, journey: Journey) -> None:
    path = write(tmp_path, "Step,period,entered\ncheckout,2026-W01,5\n")
    assert problems_of(path, journey) == [
        "column 'step': missing (required) (did you mean 'Step'?); "
        "the columns are: 'Step', 'period', 'entered'",
        "column 'completed': missing (required); the columns are: 'Step', 'period', 'entered'",
    ]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ("12O,10", "entered", "'12O' is not a number"),
        ("10,1,234", "completed", None),  # an unquoted thousands separator: one cell too many
        ('"1,234",5', "entered", "'1,234' is not a number (write it without thousands separators)"),
        ("-5,0", "entered", "-5 is negative; it must be 0 or more"),
        ("10,-1", "completed", "-1 is negative; it must be 0 or more"),
        ("10.5,3", "entered", "10.5 is not a whole number; counts are whole numbers"),
        ("10,", "completed", "empty; a count (0 or more) is required"),
        ("inf,3", "entered", "'inf' is not a finite number"),
    ],
)
def test_bad_counts_name_the_row_and_column(
    tmp_path: Path, journey: Journey, cells: str, column: str, message: str | None
) -> None:
    path = write(tmp_path, f"{HEADER}\ncheckout,2026-W01,10,5\nbasket,2026-W01,{cells}\n")
    if message is None:
        with pytest.raises(InputFileError, match=r"data row 2 .* 5 fields but the header has 4"):
            load_metrics(path, journey)
        return
    assert problems_of(path, journey) == [f"data row 2, column {column!r}: {message}"]


def test_completed_more_than_entered(tmp_path: Path, journey: Journey) -> None:
    path = write(tmp_path, f"{HEADER}\ncheckout,2026-W01,100,120\n")
    assert problems_of(path, journey) == [
        "data row 1, column 'completed': 120 is more than entered (100); completed counts "
        "those who entered the step and finished it"
    ]


def test_optional_numbers_are_checked_too(tmp_path: Path, journey: Journey) -> None:
    path = write(
        tmp_path,
        f"{HEADER},median_time_s,support_contacts,escalations\ncheckout,2026-W01,10,5,-3,2.5,x\n",
    )
    assert problems_of(path, journey) == [
        "data row 1, column 'median_time_s': -3 is negative; it must be 0 or more",
        "data row 1, column 'support_contacts': 2.5 is not a whole number; "
        "counts are whole numbers",
        "data row 1, column 'escalations': 'x' is not a number",
    ]


def test_unknown_steps_are_named_and_the_journey_steps_listed(
    tmp_path: Path, journey: Journey
) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\nchekout,2026-W01,10,5\nbasket,2026-W01,10,5\nsign_up,2026-W01,3,2\n,2026-W02,1,1\n",
    )
    with pytest.raises(MetricsError) as raised:
        load_metrics(path, journey)
    message = str(raised.value)
    assert "data row 1, column 'step': 'chekout' is not a step of journey 'ecommerce' " in message
    assert "(did you mean 'checkout'?)" in message
    assert "data row 3, column 'step': 'sign_up' is not a step of journey 'ecommerce'\n" in message
    assert "data row 4, column 'step': empty; give a step id of journey 'ecommerce'" in message
    assert message.endswith("The steps of journey 'ecommerce' are: " + ", ".join(journey.step_ids))


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-W54", "'2026-W54': ISO week 54 does not exist; 2026 has weeks 1-53"),
        ("2026-13", "'2026-13': month 13 does not exist; months are 01-12"),
        ("Feb 2026", "'Feb 2026' is not a period; write an ISO date (2026-07-14)"),
        ("", "empty, but other rows have a period; every row needs one"),
    ],
)
def test_unparseable_periods(tmp_path: Path, journey: Journey, period: str, message: str) -> None:
    path = write(tmp_path, f"{HEADER}\ncheckout,2026-W01,10,5\nbasket,{period},10,5\n")
    [problem] = problems_of(path, journey)
    assert problem.startswith(f"data row 2, column 'period': {message}")


def test_mixed_period_kinds_name_the_odd_rows(tmp_path: Path, journey: Journey) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\ncheckout,2026-W01,10,5\ncheckout,2026-W02,10,5\n"
        "basket,2026-01-07,10,5\nbasket,2026-W02,10,5\npayment,2026-01,4,4\n",
    )
    assert problems_of(path, journey) == [
        "data row 3, column 'period': '2026-01-07' is a day, but 3 rows have weeks "
        "(e.g. '2026-W01' in data row 1); use one period size in a file",
        "data row 5, column 'period': '2026-01' is a month, but 3 rows have weeks "
        "(e.g. '2026-W01' in data row 1); use one period size in a file",
    ]


def test_duplicate_rows_name_both_rows_and_the_key(tmp_path: Path, journey: Journey) -> None:
    path = write(
        tmp_path,
        "step,period,channel,entered,completed\n"
        "checkout,2026-W01,web,10,5\n"
        "checkout,2026-W01,app,10,5\n"
        "checkout,2026-w01,web,12,6\n",  # the same week, written differently
    )
    assert problems_of(path, journey) == [
        "data row 3, columns 'step', 'period', 'channel': repeats data row 1 (step 'checkout', "
        "period '2026-W01', channel 'web'); the file needs one row per step, period and channel"
    ]


def test_parquet_problems_name_the_row_and_column(tmp_path: Path, journey: Journey) -> None:
    path = write_parquet(
        tmp_path,
        {
            "step": ["checkout", "basket", "payment"],
            "period": ["2026-W01", "2026-W01", "2026-W01"],
            "entered": [10, -1, 5],
            "completed": [5, 0, None],
        },
    )
    assert problems_of(path, journey) == [
        "data row 2, column 'entered': -1 is negative; it must be 0 or more",
        "data row 3, column 'completed': empty; a count (0 or more) is required",
    ]


def test_every_problem_is_reported_at_once_in_file_order(tmp_path: Path, journey: Journey) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\ncheckout,2026-W01,10,5\nbasket,2026-W99,-1,x\nchekout,2026-W01,3,4\n",
    )
    with pytest.raises(MetricsError) as raised:
        load_metrics(path, journey)
    message = str(raised.value)
    assert isinstance(raised.value, SteplensError)
    assert message.splitlines()[0] == (
        f"{path}: 5 problems in the step metrics (data rows count from 1 below the header):"
    )
    rows_and_columns = re.findall(r"data row (\d+), column '(\w+)'", message)
    assert rows_and_columns == [
        ("2", "period"),
        ("2", "entered"),
        ("2", "completed"),
        ("3", "step"),
        ("3", "completed"),
    ]


def test_a_long_list_of_problems_is_capped(tmp_path: Path, journey: Journey) -> None:
    body = "".join(f"checkout,2026-W01,{-n},0\n" for n in range(1, 71))
    path = write(tmp_path, f"{HEADER}\n{body}")
    with pytest.raises(MetricsError) as raised:
        load_metrics(path, journey)
    lines = str(raised.value).splitlines()
    # 70 negative counts plus 69 duplicates of data row 1.
    assert lines[0].startswith(f"{path}: 139 problems")
    assert len(lines) == 1 + MAX_PROBLEMS + 1
    assert lines[1] == "  - data row 1, column 'entered': -1 is negative; it must be 0 or more"
    assert lines[-1] == f"  - and {139 - MAX_PROBLEMS} more problems"


def test_a_header_without_rows_is_rejected(tmp_path: Path, journey: Journey) -> None:
    assert problems_of(write(tmp_path, f"{HEADER}\n"), journey) == [
        "the file has a header but no data rows"
    ]


def test_group_columns_must_exist_and_not_be_metrics(tmp_path: Path, journey: Journey) -> None:
    path = write(tmp_path, f"{HEADER}\ncheckout,2026-W01,10,5\n")
    assert problems_of(path, journey, group_columns=["region", "entered"]) == [
        "column 'region': named as a group column but not in the file",
        "column 'entered': is a metrics column, it cannot be a group column",
    ]


def test_unreadable_files_fail_as_input_errors(tmp_path: Path, journey: Journey) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        load_metrics(tmp_path / "missing.csv", journey)
    with pytest.raises(InputFileError, match=r"unsupported file type '\.xls'"):
        load_metrics(write(tmp_path, "x", "metrics.xls"), journey)
    with pytest.raises(InputFileError, match="not an Excel workbook"):
        load_metrics(write(tmp_path, "x", "metrics.xlsx"), journey)


def test_sample_rates_are_all_valid_shares(journey: Journey) -> None:
    rates = [row.drop_off_rate for row in load_metrics(SAMPLE, journey).rows]
    assert all(rate is not None and 0.0 <= rate <= 1.0 and not math.isnan(rate) for rate in rates)


def test_rows_sent_as_objects_get_the_same_checks() -> None:
    from steplens.pipeline.report.metrics import metrics_from_rows

    journey = load_journey("ecommerce")
    rows = [
        {
            "step": "checkout",
            "period": "2026-W31",
            "entered": 100,
            "completed": 80,
            "channel": "web",
        },
        {
            "step": "checkout",
            "period": "2026-W32",
            "entered": 100,
            "completed": 70,
            "channel": "web",
        },
    ]
    metrics = metrics_from_rows(rows, journey, source="PUT /v1/metrics")
    assert [row.drop_off_rate for row in metrics.rows] == pytest.approx([0.2, 0.3])
    assert metrics.group_columns == ("channel",) and metrics.period_kind == "week"
    bad = [{"step": "checkout", "entered": 5, "completed": 7}, {"step": "chekout", "entered": 1}]
    with pytest.raises(MetricsError) as caught:
        metrics_from_rows(bad, journey, source="PUT /v1/metrics")
    message = str(caught.value)
    assert (
        message.startswith("PUT /v1/metrics: 3 problems") and "rows count from 1 as sent" in message
    )
    assert "data row 1, column 'completed'" in message and "data row 2, column 'step'" in message
