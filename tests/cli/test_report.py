"""`steplens report` end to end through the CLI runner: files, ranking, and clean errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from steplens.cli.main import cli
from steplens.pipeline.paths import samples_dir

METRICS = samples_dir() / "ecommerce_metrics.csv"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def test_report_writes_the_three_files(
    runner: CliRunner, tagged_sample: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    result = runner.invoke(
        cli,
        [
            "report",
            str(tagged_sample),
            "--journey",
            "ecommerce",
            "--metrics",
            str(METRICS),
            "--period-column",
            "created_at",
            "--group-by",
            "channel",
            "--score-column",
            "nps",
            "--no-key-phrases",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "step ranked first: Checkout" in result.output
    assert "alert: checkout: drop-off rate rose" in result.output
    for name in ("report.html", "steps.csv", "steps.json"):
        assert (out / name).stat().st_size > 0
    data = json.loads((out / "steps.json").read_text(encoding="utf-8"))
    assert data["key_phrases"] == {}  # --no-key-phrases
    with (out / "steps.csv").open(encoding="utf-8", newline="") as handle:
        first = min(csv.DictReader(handle), key=lambda row: int(row["priority_rank"]))
    assert first["step"] == "checkout"


def test_a_bad_metrics_file_is_refused_naming_row_and_column(
    runner: CliRunner, tagged_sample: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "metrics.csv"
    bad.write_text(
        "step,period,entered,completed\n"
        "checkout,2026-W27,100,120\n"
        "chekout,2026-W27,100,90\n"
        "delivery,2026-W27,-5,0\n",
        encoding="utf-8",
    )
    args = ["report", str(tagged_sample), "-j", "ecommerce", "--metrics", str(bad)]
    result = runner.invoke(cli, [*args, "--out", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "row 1" in result.output and "completed" in result.output
    assert "row 2" in result.output and "chekout" in result.output
    assert "row 3" in result.output and "entered" in result.output
    assert not (tmp_path / "r").exists()  # nothing half-written


def test_unknown_columns_and_untagged_files_are_clean_errors(
    runner: CliRunner, tagged_sample: Path, tmp_path: Path
) -> None:
    args = ["report", str(tagged_sample), "-j", "ecommerce", "--group-by", "chanel"]
    result = runner.invoke(cli, [*args, "--out", str(tmp_path / "r")])
    assert result.exit_code == 1 and "no column 'chanel'" in result.output
    raw = samples_dir() / "ecommerce_feedback.csv"
    result = runner.invoke(cli, ["report", str(raw), "-j", "ecommerce", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "not a tagged file" in result.output


def test_report_reads_the_text_column_tag_was_told(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "survey.csv"
    source.write_text(
        "id;comment;nps\n1;the courier left my parcel in the rain;2\n2;checkout was quick;9\n",
        encoding="utf-8",
    )
    tagged = tmp_path / "tagged.csv"
    result = runner.invoke(
        cli,
        ["tag", str(source), "-j", "ecommerce", "--text-column", "comment", "--out", str(tagged)],
    )
    assert result.exit_code == 0, result.output
    assert "read as semicolon-separated" in result.stderr
    out = tmp_path / "report"
    args = ["report", str(tagged), "-j", "ecommerce", "--score-column", "nps", "--out", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "text column 'comment', as `tag` was told" in result.stderr
    assert "nps read as NPS" in result.stderr
    wrong = runner.invoke(cli, [*args[:-2], "--score-column", "comment", "--out", str(out)])
    assert wrong.exit_code == 1 and "score column 'comment' holds no numbers" in wrong.output
