"""`steplens evaluate` end to end on the bundled sample and its separate labels file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from steplens.cli.main import cli
from steplens.pipeline.paths import samples_dir

FEEDBACK = samples_dir() / "ecommerce_feedback.csv"
LABELS = samples_dir() / "ecommerce_feedback_labels.csv"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def test_evaluate_the_sample_to_json_and_html(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "evaluation.json"
    args = ["evaluate", str(FEEDBACK), "--labels", str(LABELS), "-j", "ecommerce"]
    result = runner.invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "443 labelled texts" in result.output  # 445, less the two not in English
    assert "most frequent confusions" in result.output
    assert "left out 3 rows with no text (data rows 86, 224, 329)" in result.output
    assert "left out 2 rows with text not in English" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["texts"] == 443
    assert 0.8 < data["accuracy"] <= 1.0  # the sample's documented level (docs/benchmarks.md)
    assert {row["step"] for row in data["steps"]} >= {"checkout", "delivery", "unassigned"}
    assert data["best"]["accuracy"] >= data["accuracy"]
    page = tmp_path / "evaluation.html"
    result = runner.invoke(cli, ["-q", *args, "--out", str(page), "--examples", "1"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "Most frequent confusions" in html
    assert "default-src 'none'" in html


def test_evaluate_refuses_what_it_cannot_do(runner: CliRunner, tmp_path: Path) -> None:
    base = ["evaluate", str(FEEDBACK), "-j", "ecommerce"]
    result = runner.invoke(cli, [*base, "--labels", str(LABELS), "--out", str(tmp_path / "e.txt")])
    assert result.exit_code == 2 and "use a .json or .html file name" in result.output
    result = runner.invoke(cli, [*base, "--id-column", "id"])
    assert result.exit_code == 2 and "give --labels too" in result.output
    result = runner.invoke(cli, base)
    assert result.exit_code == 1 and "no label column 'step'" in result.output
    result = runner.invoke(cli, [*base, "--labels", str(LABELS), "--sentiment-column", "mood"])
    assert result.exit_code == 1 and "no sentiment column 'mood'" in result.output
