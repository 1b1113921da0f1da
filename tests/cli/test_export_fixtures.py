"""Exports as survey and help-desk tools write them (tests/fixtures/exports/) go through `tag` and
`report --period-column --score-column` with no cleaning: every answer kept under its id, every
date read, every score read or accounted for, and the report saying how."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from steplens.cli.main import cli
from tests.conftest import tag_and_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
SM_SCORE = "How likely is it that you would recommend BrightCart to a friend or colleague?"
SM_TEXT = "What is the main reason for your score?"


def answers(path: Path, header_rows: int) -> list[list[str]]:
    """The answer rows of a CSV export, read plainly past its header rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[header_rows:]


def test_a_surveymonkey_export_merges_its_two_header_rows(encoder: Any, tmp_path: Path) -> None:
    export = FIXTURES / "surveymonkey_nps.csv"
    inspected = CliRunner().invoke(
        cli,
        [
            "inspect",
            str(export),
            "--text-column",
            SM_TEXT,
            "--id-column",
            "Respondent ID",
            "--json",
        ],
    )
    assert inspected.exit_code == 0, inspected.output
    profile = json.loads(inspected.stdout)
    columns = profile["columns"]
    assert profile["export_layout"] == "SurveyMonkey" and profile["rows"] == len(answers(export, 2))
    assert "Which part of your order is this about? - Checkout" in columns
    assert "Which part of your order is this about? - Other (please specify)" in columns
    assert SM_SCORE in columns and "" not in columns
    run = tag_and_report(
        tmp_path,
        export,
        ["--text-column", SM_TEXT, "--id-column", "Respondent ID"],
        ["--period-column", "Start Date", "--score-column", SM_SCORE],
    )
    rows = answers(export, 2)
    assert [r["Respondent ID"] for r in run.tagged] == [row[0] for row in rows]
    assert "Open-Ended Response" not in {r[SM_TEXT] for r in run.tagged}
    assert "read as month-first dates" in run.steps["date_reading"]
    blank = sum(not row[9] for row in rows)
    score = run.steps["score"]
    assert score["kind"] == "nps" and score["skipped"] == blank > 0
    assert score["scored"] == len(rows) - blank


def test_a_surveymonkey_workbook_reads_like_its_csv(encoder: Any, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    with (FIXTURES / "surveymonkey_nps.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet"
    sheet.append(table[0])
    sheet.append(table[1])
    for row in table[2:]:  # the .xlsx download keeps dates as dates and ids as numbers
        started = datetime.strptime(row[2], "%m/%d/%Y %I:%M:%S %p")
        sheet.append([int(row[0]), int(row[1]), started, *row[3:]])
    path = tmp_path / "surveymonkey_nps.xlsx"
    book.save(path)
    run = tag_and_report(
        tmp_path,
        path,
        ["--text-column", SM_TEXT, "--id-column", "Respondent ID"],
        ["--period-column", "Start Date", "--score-column", SM_SCORE],
    )
    assert [r["Respondent ID"] for r in run.tagged] == [row[0] for row in table[2:]]
    assert run.steps["score"]["scored"] + run.steps["score"]["skipped"] == len(table) - 2
    assert run.steps["by_period"]


def test_a_google_forms_export_reads_its_timestamps_and_answer_words(
    encoder: Any, tmp_path: Path
) -> None:
    export = FIXTURES / "google_forms_csat.csv"
    score_column = "Overall, how satisfied are you with your order?"
    run = tag_and_report(
        tmp_path,
        export,
        ["--text-column", "What could we do better?"],
        ["--period-column", "Timestamp", "--score-column", score_column,
         "--score-map", str(FIXTURES / "csat_map.yaml")],
    )  # fmt: skip
    rows = answers(export, 1)
    assert len(run.tagged) == len(rows) and run.tagged[0]["Timestamp"] == rows[0][0]
    assert "read as year-first dates" in run.steps["date_reading"]
    score = run.steps["score"]
    assert score["kind"] == "mean" and score["mapped"] == len(rows) and score["skipped"] == 0
    assert 1 <= score["overall"] <= 5 and "through the score map" in run.terminal


def test_a_zendesk_csat_export_counts_offered_ratings_as_no_score(
    encoder: Any, tmp_path: Path
) -> None:
    export = FIXTURES / "zendesk_csat.csv"
    run = tag_and_report(
        tmp_path,
        export,
        ["--text-column", "Satisfaction comment", "--id-column", "Ticket ID"],
        ["--period-column", "Satisfaction rating created at",
         "--score-column", "Satisfaction score", "--score-map", str(FIXTURES / "zendesk_map.json")],
    )  # fmt: skip
    rows = answers(export, 1)
    assert [r["Ticket ID"] for r in run.tagged] == [row[0] for row in rows]
    quoted = [v["id"] for step in run.steps["verbatims"].values() for v in step["typical"]]
    assert quoted and set(quoted) <= {row[0] for row in rows}  # ticket ids, not row numbers
    assert "id column 'Ticket ID', as `tag` was told" in run.terminal
    offered = sum(row[3] == "Offered" for row in rows)
    unassigned = [r for r in run.tagged if r["Satisfaction score"] == "Offered"]
    assert len(unassigned) == offered > 0 and all(r["step"] == "unassigned" for r in unassigned)
    score = run.steps["score"]
    assert (score["no_score"], score["skipped"], score["unmapped"]) == (offered, offered, [])
    assert score["mapped"] == len(rows) - offered
    good = sum(row[3] == "Good" for row in rows)
    assert score["overall"] == pytest.approx(good / (len(rows) - offered))
    assert "read as ISO dates" in run.steps["date_reading"]


def test_a_qualtrics_export_skips_its_extra_header_rows(encoder: Any, tmp_path: Path) -> None:
    export = FIXTURES / "qualtrics_nps.csv"
    run = tag_and_report(
        tmp_path,
        export,
        ["--text-column", "Q2", "--id-column", "ResponseId"],
        ["--period-column", "StartDate", "--score-column", "Q1", "--score-type", "nps"],
    )
    rows = answers(export, 3)
    assert [r["ResponseId"] for r in run.tagged] == [row[2] for row in rows]
    score = run.steps["score"]
    labels = sum(" - " in row[4] for row in rows)
    assert score["kind"] == "nps" and score["skipped"] == 0 and score["labelled"] == labels > 0
