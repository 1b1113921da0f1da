"""An NPS export as survey tools write it (day-first dates with a time, labelled scores) goes
through `tag` and `report --period-column --score-column` with no cleaning."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from steplens.pipeline.paths import samples_dir
from tests.conftest import tag_and_report


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
    run = tag_and_report(
        tmp_path,
        export,
        ["--text-column", "Verbatim"],
        ["--period-column", "Date", "--score-column", "NPS Score"],
    )
    assert "read as day-first dates" in run.terminal
    data = run.steps
    assert data["unreadable_dates"]["count"] == 0 and data["undated_comments"] == 0
    assert data["by_period"] and "day-first" in data["date_reading"]
    assert data["score"]["kind"] == "nps" and data["score"]["skipped"] == 0
