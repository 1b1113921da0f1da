"""`steplens tag --adapt`: self-training on the input, saved beside the output and reused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from steplens.cli.main import cli
from steplens.pipeline.checkpoint import progress_path
from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import load_journey
from steplens.pipeline.paths import data_dir
from steplens.pipeline.steps.adapt import adapt_file

SAMPLE = data_dir() / "samples" / "ecommerce_feedback.csv"


def test_adapt_fits_a_head_on_the_input_and_says_so(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "tagged.csv"
    args = ["tag", str(SAMPLE), "--journey", "ecommerce", "--no-signals", "--adapt"]
    result = runner.invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "adapting on" in result.output
    assert "steps adapted to this input by self-training" in result.output
    adapted = tmp_path / "tagged.csv.adapted"
    assert (adapted / "config.json").is_file() and (adapted / "head.safetensors").is_file()
    assert "adapted to a corpus by `steplens tag --adapt`" in (adapted / "README.md").read_text()
    metadata = json.loads((tmp_path / "tagged.csv.steplens.json").read_text())
    info = metadata["tagger"]["steps"]["adapted"]
    assert info["comments_read"] > 400
    per_step = info["pseudo_labels_per_step"]
    assert set(per_step) == {step["id"] for step in metadata_journey_steps()}
    assert sum(per_step.values()) > 100 and max(per_step.values()) <= 50
    assert metadata["counts"]["comments"] == 448

    # An interrupted run (its checkpoint in place) is never overwritten by a new head: without
    # --resume it is refused before any work; with it the saved head is reused, for the same
    # input only.
    checkpoint = progress_path(out)
    checkpoint.write_text("{}", encoding="utf-8")
    journey = load_journey("ecommerce")
    notes: list[str] = []
    common: dict[str, Any] = {"text_column": "text", "on_progress": notes.append}
    with pytest.raises(SteplensError, match="pass --resume to continue it"):
        adapt_file(journey, SAMPLE, out, **common)
    assert adapt_file(journey, SAMPLE, out, resume=True, **common) == adapted
    assert notes[-1] == f"reusing the adapted steps in {adapted}"
    other = tmp_path / "other.csv"
    other.write_text(
        SAMPLE.read_text(encoding="utf-8") + "fb-x,2026-06-30,app,5,late again\n", encoding="utf-8"
    )
    with pytest.raises(SteplensError, match="were fitted on another input"):
        adapt_file(journey, other, out, resume=True, **common)
    assert (adapted / "config.json").is_file()  # still there for the interrupted run


def test_adapt_refuses_a_trained_model(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "tag",
            str(SAMPLE),
            "--journey",
            "ecommerce",
            "--adapt",
            "--model",
            str(tmp_path),
            "--out",
            str(tmp_path / "out.csv"),
        ],
    )
    assert result.exit_code == 2
    assert "--adapt adapts the zero-shot steps; drop --model to use it" in result.output


def metadata_journey_steps() -> list[dict[str, str]]:
    from steplens.pipeline.journey import load_journey

    return [{"id": step.id} for step in load_journey("ecommerce").steps]
