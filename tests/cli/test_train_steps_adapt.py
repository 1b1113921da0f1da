"""`steplens train-steps --adapt`: self-training on a feedback file or on the stored feedback."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from steplens.api.app import create_app
from steplens.api.db.store import Store
from steplens.api.settings import Settings, get_settings
from steplens.cli.main import cli
from steplens.pipeline.journey import load_journey
from steplens.pipeline.model_view import step_views
from steplens.pipeline.paths import data_dir
from steplens.pipeline.steps.trained import load_step_model

SAMPLE = data_dir() / "samples" / "ecommerce_feedback.csv"


def adapted_info(model: Path) -> dict[str, object]:
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    info = config["info"]["adapted"]
    assert isinstance(info, dict)
    return info


def test_adapt_a_file_keeps_the_rows_people_labelled(tmp_path: Path) -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    feedback = tmp_path / "feedback.csv"
    with feedback.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*rows[0], "step"])
        writer.writeheader()
        for number, row in enumerate(rows):
            # three rows carry a person's label; the rest are left for self-training
            label = {0: "delivery", 1: "checkout", 2: "unassigned"}.get(number, "")
            writer.writerow({**row, "step": label})
    model = tmp_path / "model"
    args = ["train-steps", str(feedback), "-j", "ecommerce", "--adapt", "--out", str(model)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # the console wraps long lines
    assert "3 labelled by people" in output
    info = adapted_info(model)
    # each distinct comment is read once, and a labelled one is never pseudo-labelled
    views = {view for view in step_views(row["text"] for row in rows) if view.strip()}
    unlabelled = len(views - set(step_views(row["text"] for row in rows[:3])))
    assert info["labelled"] == 3 and info["comments_read"] == unlabelled
    assert f"adapted journey 'ecommerce' to {unlabelled} comments" in output
    assert "3 labelled by people" in (model / "README.md").read_text(encoding="utf-8")
    assert load_step_model(model).step_ids == load_journey("ecommerce").step_ids


def test_adapt_refuses_fine_tuning_and_unknown_labels(tmp_path: Path) -> None:
    runner = CliRunner()
    out = str(tmp_path / "model")
    common = ["train-steps", str(SAMPLE), "-j", "ecommerce", "--adapt", "--out", out]
    result = runner.invoke(cli, [*common, "--fine-tune", "always", "--epochs", "2"])
    output = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "--fine-tune, --epochs cannot be used with it" in output
    result = runner.invoke(cli, [*common, "--label-column", "intent"])
    output = " ".join(result.output.split())
    assert result.exit_code == 1 and "no label column 'intent'; the columns are" in output
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("text,step\nthe box was crushed,shipping\nlate again,\n", encoding="utf-8")
    args = ["train-steps", str(labelled), "-j", "ecommerce", "--adapt", "--out", out]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "training labels that are not steps of journey 'ecommerce': 'shipping'" in output


def test_adapt_to_the_feedback_the_service_stored(tmp_path: Path) -> None:
    """The service adapts on what it stored: train-steps --from-db --adapt, then register it."""
    url = f"sqlite:///{tmp_path / 'steplens.db'}"
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:120]
    items = [{"id": row["id"], "text": row["text"]} for row in rows]
    with _client(url) as client:
        assert client.post("/v1/feedback", json={"items": items}).status_code == 200
        label = client.post(f"/v1/feedback/{rows[0]['id']}/label", json={"step": "delivery"})
        assert label.status_code == 200, label.text
    model = tmp_path / "model"
    result = _from_db(
        url, ["train-steps", "--from-db", "--adapt", "-j", "ecommerce", "--out", str(model)]
    )
    assert result.exit_code == 0, result.output
    info = adapted_info(model)
    store = Store.connect(url)
    stored = [record.text for record in store.iter_feedback_records("ecommerce")]
    store.close()
    assert len(stored) == 120  # stored redacted: the texts adapted on are these
    views = {view for view in step_views(stored) if view.strip()}
    assert info["labelled"] == 1
    assert info["comments_read"] == len(views - set(step_views(stored[:1])))
    with _client(url, step_models={"adapted": model}) as client:
        answer = client.post(
            "/v1/classify",
            json={"texts": ["the courier left my parcel in the rain"], "model": "adapted"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"][0]["step"] == "delivery"


def test_adapt_from_an_empty_store_says_what_to_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'steplens.db'}"
    result = _from_db(
        url, ["train-steps", "--from-db", "--adapt", "-j", "ecommerce", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "no stored feedback for journey 'ecommerce'" in output
    assert "POST /v1/feedback first" in output


def _from_db(url: str, args: list[str]) -> Result:
    """Run the CLI against the database at ``url`` (settings are cached per process)."""
    get_settings.cache_clear()
    try:
        return CliRunner(env={"STEPLENS_DATABASE_URL": url}).invoke(cli, args)
    finally:
        get_settings.cache_clear()


def _client(url: str, **overrides: Any) -> TestClient:
    return TestClient(create_app(Settings(database_url=url, **overrides)))
