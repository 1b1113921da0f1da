"""`steplens journeys draft` and `journeys check` end to end on the bundled sample."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from steplens.cli.main import cli
from steplens.pipeline.paths import samples_dir

SAMPLE = samples_dir() / "ecommerce_feedback.csv"


def test_draft_writes_a_valid_journey_and_never_overwrites(encoder: Any, tmp_path: Path) -> None:
    out = tmp_path / "drafted.yaml"
    runner = CliRunner()
    done = runner.invoke(cli, ["journeys", "draft", str(SAMPLE), "--out", str(out), "--no-signals"])
    assert done.exit_code == 0, done.output
    assert "drafted steps" in done.output
    valid = runner.invoke(cli, ["journeys", "validate", str(out)])
    assert valid.exit_code == 0 and "valid:" in valid.output
    again = runner.invoke(cli, ["journeys", "draft", str(SAMPLE), "--out", str(out)])
    assert again.exit_code != 0 and "exists" in again.output and "Traceback" not in again.output


def test_draft_refuses_a_file_too_small(encoder: Any, tmp_path: Path) -> None:
    small = tmp_path / "small.csv"
    small.write_text("text\nThe parcel was late\nCheckout froze\n", encoding="utf-8")
    done = CliRunner().invoke(
        cli, ["journeys", "draft", str(small), "--out", str(tmp_path / "x.yaml")]
    )
    assert done.exit_code != 0 and "too few to draft from" in done.output
    assert not (tmp_path / "x.yaml").exists()


def test_check_with_feedback_gives_each_steps_share(encoder: Any) -> None:
    done = CliRunner().invoke(cli, ["journeys", "check", "ecommerce", str(SAMPLE), "--json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert result["journey"] == "ecommerce" and result["clauses"] > 400
    assert abs(sum(result["coverage"].values()) - 1.0) < 1e-3 and "unassigned" in result["coverage"]


def test_draft_checks_its_options_before_the_work(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_name = runner.invoke(
        cli, ["journeys", "draft", str(SAMPLE), "--out", str(tmp_path / "a.yaml"), "--name", "a b"]
    )
    assert bad_name.exit_code != 0 and "--name 'a b'" in bad_name.output
    no_folder = runner.invoke(
        cli, ["journeys", "draft", str(SAMPLE), "--out", str(tmp_path / "missing" / "a.yaml")]
    )
    assert no_folder.exit_code != 0 and "does not exist" in no_folder.output
    assert "Traceback" not in bad_name.output + no_folder.output
