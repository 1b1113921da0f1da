"""Excel workbooks as survey tools export them: read in chunks from the first sheet or a named
one, typed cells kept, broken and protected workbooks refused with what to do."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from steplens.cli.main import cli
from steplens.pipeline.errors import InputFileError
from steplens.pipeline.paths import samples_dir
from steplens.pipeline.tables import TableWriter, open_table
from tests.conftest import tag_and_report

openpyxl = pytest.importorskip("openpyxl")


def export_workbook(path: Path, rows: int = 60) -> Path:
    """An NPS export: a cover sheet first, the answers on 'Responses' (dates as Excel dates,
    ids as numbers, scores as labels or numbers, an empty row in the middle)."""
    with (samples_dir() / "ecommerce_feedback.csv").open(encoding="utf-8") as handle:
        sample = list(csv.DictReader(handle))[:rows]
    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "About"
    cover.append(["Exported from the survey tool"])
    sheet = book.create_sheet("Responses")
    sheet.append(["Response ID", "Date", "NPS Score", "Verbatim"])
    for number, row in enumerate(sample, start=1001):
        when = datetime.fromisoformat(row["created_at"][:19])
        score = int(row["nps"])
        label = {10: "10 - Extremely likely", 0: "0 - Not at all likely"}.get(score, score)
        sheet.append([number, when, label, row["text"]])
        if number == 1010:
            sheet.append([None, None, None, None])
    book.save(path)
    return path


def test_a_named_sheet_reads_with_typed_cells(tmp_path: Path) -> None:
    path = export_workbook(tmp_path / "export.xlsx")
    table = open_table(path, text_column="Verbatim", id_column="Response ID", sheet="Responses")
    rows = [row for chunk in table.chunks() for row in chunk.rows]
    assert table.columns == ["Response ID", "Date", "NPS Score", "Verbatim"]
    assert len(rows) == 60 and table.sheet == "Responses"
    assert rows[0]["Response ID"] == 1001 and isinstance(rows[0]["Date"], date)
    with pytest.raises(InputFileError, match=r"no text column 'Verbatim'.*Exported"):
        open_table(path, text_column="Verbatim")  # the first sheet is the cover
    with pytest.raises(InputFileError, match="no sheet 'Answers'; its sheets are: 'About'"):
        open_table(path, text_column="Verbatim", sheet="Answers")


def test_broken_protected_and_misnamed_workbooks_are_refused(tmp_path: Path) -> None:
    protected = tmp_path / "protected.xlsx"
    protected.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
    with pytest.raises(InputFileError, match="password-protected"):
        open_table(protected)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"not really a zip")
    with pytest.raises(InputFileError, match="not a readable Excel workbook"):
        open_table(broken)
    text = tmp_path / "text.xlsx"
    text.write_text("id,text\n1,hello\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"not an Excel workbook.*CSV"):
        open_table(text)
    csv_file = tmp_path / "plain.csv"
    csv_file.write_text("text\nhello\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="--sheet applies to Excel"):
        open_table(csv_file, sheet="Responses")
    with pytest.raises(InputFileError, match="read, not written"):
        TableWriter(tmp_path / "out.xlsx")


def test_an_excel_export_tags_and_reports_without_cleaning(encoder: Any, tmp_path: Path) -> None:
    path = export_workbook(tmp_path / "export.xlsx")
    run = tag_and_report(
        tmp_path,
        path,
        ["--sheet", "Responses", "--text-column", "Verbatim", "--id-column", "Response ID"],
        ["--period-column", "Date", "--score-column", "NPS Score"],
    )
    rows = run.tagged
    assert len(rows) == 60 and rows[0]["Response ID"] == "1001"
    data = run.steps
    assert data["unreadable_dates"]["count"] == 0 and data["by_period"]
    assert data["score"]["kind"] == "nps" and data["score"]["skipped"] == 0
    runner = CliRunner()
    inspected = runner.invoke(
        cli, ["inspect", str(path), "--sheet", "Responses", "--text-column", "Verbatim"]
    )
    assert inspected.exit_code == 0 and "Responses" in inspected.output
