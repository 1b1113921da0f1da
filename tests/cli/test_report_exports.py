"""An NPS export as survey tools write it (day-first dates with a time, labelled scores) goes
through `tag` and `report --period-column --score-column` with no cleaning."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from steplens.cli.main import cli
from steplens.pipeline.paths import samples_dir


def test_a_day_first_nps_export_reports_with_its_dates_and_scores(
    encoder: Any, tmp_path: Path
) -> None:
    with (samples_dir() / "ecommerce_feedback.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:120]
    labels = {10: "10 - Extremely likely", 0: "0 - Not at all likely"}
    export = tmp_path / "nps_export.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Date", "Survey", "NPS Score", "Verbatim"])
        for row in rows:
            year, month, day = row["created_at"][:10].split("-")
            score = int(row["nps"])
            writer.writerow(
                [f"{day}/{month}/{year} 20:09", "NPS", labels.get(score, str(score)), row["text"]]
            )
    runner = CliRunner()
    tagged = tmp_path / "tagged.csv"
    done = runner.invoke(
        cli,
        ["tag", str(export), "-j", "ecommerce", "--text-column", "Verbatim", "--out", str(tagged)],
    )
    assert done.exit_code == 0, done.output
    report = runner.invoke(
        cli,
        [
            "report", str(tagged), "-j", "ecommerce", "--period-column", "Date",
            "--score-column", "NPS Score", "--no-themes", "--no-key-phrases",
            "--out", str(tmp_path / "report"),
        ],
    )  # fmt: skip
    assert report.exit_code == 0, report.output
    assert "read as day-first dates" in report.output
    data = json.loads((tmp_path / "report" / "steps.json").read_text(encoding="utf-8"))
    assert data["unreadable_dates"]["count"] == 0 and data["undated_comments"] == 0
    assert data["by_period"] and "day-first" in data["date_reading"]
    assert data["score"]["kind"] == "nps" and data["score"]["skipped"] == 0
