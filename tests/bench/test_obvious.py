"""The speed baseline (bench/obvious.py) does the job it stands in for, on real models."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from bench.obvious import main


def test_the_obvious_implementation_tags_a_file(tmp_path: Path, write_csv: Any) -> None:
    source = write_csv(
        [
            {"id": "1", "text": "Checkout kept timing out. The driver was lovely."},
            {"id": "2", "text": ""},
            {"id": "3", "text": "I called four times about my refund and I'm still waiting"},
        ]
    )
    out = tmp_path / "out.csv"
    main([str(source), str(out)])
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == ["1", "2", "3"]
    assert "checkout" in json.loads(rows[0]["steps"])
    assert json.loads(rows[1]["steps"]) == [] and float(rows[1]["sentiment_score"]) == 0.0
    assert float(rows[2]["sentiment_score"]) < 0 and int(rows[2]["effort"]) > 0
