"""`steplens tag` and `steplens train-steps` end to end, through the CLI runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from steplens.cli.main import cli
from steplens.pipeline.tables import open_table

FEEDBACK = [
    {"id": "c1", "text": "Checkout was quick but delivery took two weeks.", "channel": "web"},
    {"id": "c2", "text": "", "channel": "app"},
    {"id": "c3", "text": "   ", "channel": "app"},
    {"id": "c4", "text": "My refund still hasn't arrived after 10 days", "channel": "chat"},
    {"id": "c5", "text": "what a lovely sunny day for a picnic", "channel": "email"},
]


def read(path: Path, text_column: str = "text") -> list[dict[str, Any]]:
    """Every row of a tagged file, in any format."""
    return [row for chunk in open_table(path, text_column=text_column) for row in chunk.rows]


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_tag_comment_granularity_in_each_format(
    runner: CliRunner,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    suffix: str,
) -> None:
    writer = {".csv": "write_csv", ".jsonl": "write_jsonl", ".parquet": "write_parquet"}[suffix]
    source = request.getfixturevalue(writer)(FEEDBACK, name=f"in{suffix}")
    out = tmp_path / f"out{suffix}"
    result = runner.invoke(cli, ["tag", str(source), "--journey", "ecommerce", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "step cut-offs (calibrated on journey 'ecommerce'" in result.output
    assert (
        "unassigned below 0.10 (a best step scoring 0.27, the score 90% of random" in result.output
    )
    metadata = json.loads((tmp_path / f"out{suffix}.steplens.json").read_text())
    rule = metadata["tagger"]["comment_rule"]
    assert rule["unassigned_threshold"] == pytest.approx(0.10, abs=0.01)
    assert rule["second_step_probability"] == 0.5
    assert metadata["counts"] == {"comments": 5, "records": 5, "unassigned": 3}
    assert metadata["input"] == f"in{suffix}" and metadata["signals"] is True
    rows = read(out)
    assert [row["id"] for row in rows] == ["c1", "c2", "c3", "c4", "c5"]
    assert [row["channel"] for row in rows] == [r["channel"] for r in FEEDBACK]
    steps = [json.loads(r["steps"]) if suffix == ".csv" else r["steps"] for r in rows]
    assert {s["step"] for s in steps[0]} == {"checkout", "delivery"}
    assert rows[0]["step"] in {"checkout", "delivery"}
    for empty in rows[1:3]:
        assert empty["step"] == "unassigned"
        assert float(empty["step_confidence"]) == 0.0
    assert rows[3]["step"] == "refunds"
    assert rows[4]["step"] == "unassigned"
    # "Checkout was quick but delivery took two weeks.": a step each, with its own signals.
    by_step = {s["step"]: s for s in steps[0]}
    assert by_step["delivery"]["sentiment"] == "negative"
    assert by_step["delivery"]["effort"] in {"moderate", "high"}
    assert 1.0 <= by_step["delivery"]["effort_score"] <= 5.0
    assert by_step["checkout"]["sentiment_score"] > by_step["delivery"]["sentiment_score"]
    for row in rows:
        assert row["sentiment"] in {"negative", "neutral", "positive"}
        assert -1.0 <= float(row["sentiment_score"]) <= 1.0
        assert row["effort"] in {"none", "low", "moderate", "high"}
    for empty in rows[1:3]:  # empty texts: a defined answer, not a crash
        assert (empty["sentiment"], float(empty["sentiment_score"])) == ("neutral", 0.0)
        assert empty["effort"] == "none" and empty["effort_score"] in (None, "")


def test_tag_segment_granularity(
    runner: CliRunner, write_csv: Callable[..., Path], tmp_path: Path
) -> None:
    source = write_csv(FEEDBACK)
    out = tmp_path / "segments.jsonl"
    result = runner.invoke(
        cli,
        ["tag", str(source), "-j", "ecommerce", "--granularity", "segment", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    first = [r for r in records if r["id"] == "c1"]
    assert [r["segment"] for r in first] == [0, 1]
    text = FEEDBACK[0]["text"]
    for record in first:
        assert text[record["start"] : record["end"]] == record["text"]
    assert [r["step"] for r in first] == ["checkout", "delivery"]
    empties = [r for r in records if r["id"] in {"c2", "c3"}]
    assert [(r["text"], r["step"], r["step_confidence"]) for r in empties] == [
        ("", "unassigned", 0.0),
        ("", "unassigned", 0.0),
    ]
    assert set(records[0]) == {
        *("id", "segment", "text", "start", "end", "step", "step_confidence", "language"),
        *("sentiment", "sentiment_score", "effort", "effort_score"),
    }
    assert first[1]["sentiment"] == "negative"  # "delivery took two weeks"


def test_tag_without_id_column_uses_row_numbers(
    runner: CliRunner, write_csv: Callable[..., Path], tmp_path: Path
) -> None:
    source = write_csv([{"comment": "the parcel was late"}, {"comment": "card declined"}])
    out = tmp_path / "out.csv"
    result = runner.invoke(
        cli,
        ["tag", str(source), "-j", "ecommerce", "--text-column", "comment", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "0-based row numbers" in result.output
    assert [row["id"] for row in read(out, text_column="comment")] == ["0", "1"]


def test_tag_refuses_to_overwrite_columns(
    runner: CliRunner, write_csv: Callable[..., Path], tmp_path: Path
) -> None:
    source = write_csv([{"id": 1, "text": "late parcel", "step": "delivery"}])
    result = runner.invoke(
        cli, ["tag", str(source), "-j", "ecommerce", "--out", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 1
    assert "already has column(s) 'step'" in result.output


def test_tag_bad_output_name_fails_before_loading_models(
    runner: CliRunner, write_csv: Callable[..., Path], tmp_path: Path
) -> None:
    source = write_csv(FEEDBACK)
    result = runner.invoke(
        cli, ["tag", str(source), "-j", "ecommerce", "--out", str(tmp_path / "o.xlsx")]
    )
    assert result.exit_code == 1 and "Excel workbooks are read, not written" in result.output
    result = runner.invoke(
        cli, ["tag", str(source), "-j", "ecommerce", "--out", str(tmp_path / "o.xls")]
    )
    assert result.exit_code == 1 and "unsupported file type '.xls'" in result.output


@pytest.mark.parametrize("fine_tune", ["never", "always"])
def test_train_steps_then_tag_with_the_model(
    runner: CliRunner, write_csv: Callable[..., Path], tmp_path: Path, fine_tune: str
) -> None:
    examples = []
    phrases = {
        "delivery": [
            "parcel was late",
            "courier lost my box",
            "delivery came early",
            "package left in the rain",
            "driver never showed up",
        ],
        "payment": [
            "card was declined",
            "charged twice",
            "paypal failed",
            "apple pay did not work",
            "payment page errored",
        ],
        "returns": [
            "return label would not print",
            "sending it back was easy",
            "no drop-off for returns",
            "exchange took ages",
            "return refused",
        ],
    }
    journey = tmp_path / "mini.yaml"
    journey.write_text(
        "name: mini\nsteps:\n  - id: delivery\n  - id: payment\n  - id: returns\n",
        encoding="utf-8",
    )
    for step, texts in phrases.items():
        examples += [{"text": text, "step": step} for text in texts]
    source = write_csv(examples, name="examples.csv")
    model = tmp_path / "model"
    result = runner.invoke(
        cli,
        [
            "train-steps",
            str(source),
            "--journey",
            str(journey),
            "--out",
            str(model),
            "--fine-tune",
            fine_tune,
            "--tuned-layers",
            "1",
            "--epochs",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (model / "head.safetensors").is_file() and "held-out" in result.output
    if fine_tune == "always":  # progress notes show by default, without -v
        assert "epoch 2/2: loss" in result.stderr
    assert (model / "encoder.safetensors").is_file() == (fine_tune == "always")
    feedback = write_csv([{"id": 1, "text": "the courier lost my parcel"}], name="fb.csv")
    out = tmp_path / "tagged.jsonl"
    tagged = runner.invoke(
        cli,
        ["tag", str(feedback), "-j", str(journey), "--model", str(model), "--out", str(out)],
    )
    assert tagged.exit_code == 0, tagged.output
    assert json.loads(out.read_text())["step"] == "delivery"
    mismatch = runner.invoke(
        cli, ["tag", str(feedback), "-j", "ecommerce", "--model", str(model), "--out", str(out)]
    )
    assert mismatch.exit_code == 1 and "was trained for journey 'mini'" in mismatch.output


def test_train_steps_lists_unknown_labels(
    runner: CliRunner, write_csv: Callable[..., Path], tmp_path: Path
) -> None:
    source = write_csv([{"text": "late", "step": "shipping"}, {"text": "x", "step": "payment"}])
    result = runner.invoke(
        cli, ["train-steps", str(source), "-j", "ecommerce", "--out", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "'shipping' (1 rows)" in result.output and "checkout" in result.output


def test_train_steps_names_a_missing_label_column(
    runner: CliRunner, write_csv: Callable[..., Path], tmp_path: Path
) -> None:
    source = write_csv([{"text": "late parcel", "intent": "delivery"}])
    result = runner.invoke(
        cli, ["train-steps", str(source), "-j", "ecommerce", "--out", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "no label column 'step'; the columns are: 'text', 'intent'" in result.output
    assert "--label-column" in result.output


def test_no_signals_leaves_the_signal_fields_out(
    runner: CliRunner, write_csv: Callable[..., Path], tmp_path: Path
) -> None:
    source = write_csv(FEEDBACK)
    out = tmp_path / "steps-only.jsonl"
    result = runner.invoke(
        cli, ["tag", str(source), "-j", "ecommerce", "--no-signals", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == len(FEEDBACK)
    assert "sentiment" not in rows[0] and "effort" not in rows[0]
    assert all("sentiment" not in entry for entry in rows[0]["steps"])


def test_duplicate_ids_are_kept_and_reported(
    runner: CliRunner, write_csv: Callable[..., Path], tmp_path: Path
) -> None:
    rows = [
        {"id": "a", "text": "Checkout froze"},
        {"id": "b", "text": "Parcel late"},
        {"id": "a", "text": "Refund missing"},
    ]
    source = write_csv(rows, name="dupes.csv")
    out = tmp_path / "dupes_out.csv"
    args = ["tag", str(source), "-j", "ecommerce", "--no-signals", "--out", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "1 rows repeat an earlier id (e.g. 'a')" in result.output
    assert [row["id"] for row in read(out)] == ["a", "b", "a"]


def test_progress_shows_by_default_off_a_terminal_and_never_with_quiet(
    runner: CliRunner,
    write_csv: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from steplens.cli import output

    monkeypatch.setattr(output, "LOG_EVERY_SECONDS", 0.0)
    source = write_csv(FEEDBACK)
    args = ["tag", str(source), "-j", "ecommerce", "--no-signals", "--chunk-size", "2"]
    shown = runner.invoke(cli, [*args, "--out", str(tmp_path / "a.csv")])
    assert shown.exit_code == 0, shown.output
    assert "tagging feedback.csv: 2 rows" in shown.stderr
    assert "tagging feedback.csv: 5 rows" in shown.stderr
    quiet = runner.invoke(cli, ["-q", *args, "--out", str(tmp_path / "b.csv")])
    assert quiet.exit_code == 0 and quiet.stderr == ""
