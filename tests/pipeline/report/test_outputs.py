"""Report files: steps.csv columns, valid JSON, and an HTML page where customer text stays text."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from steplens.pipeline.journey import load_journey
from steplens.pipeline.report.build import StepReport, build_report, load_tagged
from steplens.pipeline.report.html import script_safe_json
from steplens.pipeline.report.outputs import write_report

CONTRACT_COLUMNS = [
    "step",
    "name",
    "comments",
    "mentions",
    "share",
    "sentiment_mean",
    "negative_share",
]
HOSTILE = [
    "<script>window.__pwned = 1</script> checkout was awful",
    '<img src=x onerror="window.__pwned = 2"> delivery was late',
    "</script><script>window.__pwned = 3</script> refund never came",
    "checkout \u2028 froze & <b>bold</b> \"quoted\" 'single'",
]


def write_tagged(path: Path, texts: list[str]) -> Path:
    """A tagged file as `steplens tag` writes it, with chosen texts (for rendering tests)."""
    steps = ["checkout", "delivery", "refunds", "checkout"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "created_at", "steps"])
        for i, text in enumerate(texts):
            entry = {
                "step": steps[i % len(steps)],
                "confidence": 0.9,
                "sentiment": "negative",
                "sentiment_score": -0.8,
                "effort": "high",
                "effort_score": 4.5,
            }
            writer.writerow([f"h{i}", text, f"2026-07-{1 + i % 20:02d}", json.dumps([entry])])
    return path


@pytest.fixture(scope="module")
def written(sample_report: StepReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(sample_report, tmp_path_factory.mktemp("report")).folder


def test_steps_csv_follows_the_contract(written: Path) -> None:
    with (written / "steps.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        columns = reader.fieldnames or []
    assert columns[: len(CONTRACT_COLUMNS)] == CONTRACT_COLUMNS
    for name in ("entered", "completed", "median_time_s", "support_contacts", "drop_off_rate"):
        assert name in columns
    assert columns.index("drop_off_rate") < columns.index("priority_score")
    assert columns.index("priority_score") + 1 == columns.index("priority_rank")
    assert [row["step"] for row in rows] == load_journey("ecommerce").step_ids
    assert sorted(int(row["priority_rank"]) for row in rows) == list(range(1, 13))
    assert (written / "steps_by_period.csv").exists() and (written / "steps_by_group.csv").exists()


def test_steps_json_is_strict_json(written: Path) -> None:
    text = (written / "steps.json").read_text(encoding="utf-8")
    data = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in steps.json"))
    assert data["journey"]["name"] == "ecommerce"
    assert data["alerts"] and data["alerts"][0]["step"] == "checkout"
    assert "priority" in data["priority_explanation"].lower()


def test_html_is_self_contained(written: Path) -> None:
    page = (written / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page
    assert "default-src 'none'" in page  # no request can leave the page
    assert page.count("<script") == 2  # the JSON data block and the charts script


def test_customer_text_is_escaped(tmp_path: Path) -> None:
    journey = load_journey("ecommerce")
    records = load_tagged(write_tagged(tmp_path / "hostile.csv", HOSTILE * 3))
    report = build_report(records, journey, period_column="created_at", key_phrases=False)
    page = (write_report(report, tmp_path / "out").html).read_text(encoding="utf-8")
    assert "<script>window" not in page and 'onerror="window' not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;window.__pwned = 2&#34;&gt;" in page
    assert "<img" not in page and "<b>" not in page
    data_block = page.split('id="report-data">')[1].split("</script>")[0]
    assert "<" not in data_block and ">" not in data_block
    assert json.loads(data_block)["verbatims"]["checkout"]["typical"]


@pytest.mark.parametrize("value", ["</script>", "<!--", "a & b", "\u2028", {"k": "<x>"}])
def test_script_safe_json_round_trips(value: Any) -> None:
    text = script_safe_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value
