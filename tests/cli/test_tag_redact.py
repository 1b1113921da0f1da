"""`steplens tag --redact` end to end: the written text is the redacted text, everywhere."""

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
    {
        "id": "r1",
        "text": "Checkout charged card 4111 1111 1111 1111 twice. Call me on +44 7700 900123.",
        "contact": "jane@example.com",
    },
    {
        "id": "r2",
        "text": "Thanks to Priya Raman the refund arrived. Mail priya.raman@example.org if needed.",
        "contact": "",
    },
    {"id": "r3", "text": "", "contact": ""},
    {"id": "r4", "text": "The parcel came two days late.", "contact": ""},
]
REDACTED = [
    "Checkout charged card [CARD] twice. Call me on [PHONE].",
    "Thanks to [NAME] the refund arrived. Mail [EMAIL] if needed.",
    "",
    "The parcel came two days late.",
]
SECRETS = ("4111 1111 1111 1111", "+44 7700 900123", "Priya Raman", "priya.raman@example.org")


def read(path: Path) -> list[dict[str, Any]]:
    return [row for chunk in open_table(path) for row in chunk.rows]


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_tag_redact_writes_the_redacted_text(
    runner: CliRunner, write_csv: Callable[..., Path], tmp_path: Path, suffix: str
) -> None:
    source = write_csv(FEEDBACK)
    out = tmp_path / f"tagged{suffix}"
    args = ["tag", str(source), "-j", "ecommerce", "--redact", "--out", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "redacted: 1 card, 1 email, 1 name, 1 phone" in result.output
    rows = read(out)
    assert [row["text"] for row in rows] == REDACTED
    written = out.read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in written
    # Other columns pass through as they are (documented): only the text column is redacted.
    assert rows[0]["contact"] == "jane@example.com"
    # The models read the text as written: the tags are those of a run without --redact.
    plain = tmp_path / f"plain{suffix}"
    result = runner.invoke(cli, ["tag", str(source), "-j", "ecommerce", "--out", str(plain)])
    assert result.exit_code == 0, result.output
    tags = ("step", "step_confidence", "sentiment", "sentiment_score", "effort", "effort_score")
    unredacted = read(plain)
    for redacted_row, plain_row in zip(rows, unredacted, strict=True):
        assert {k: redacted_row[k] for k in tags} == {k: plain_row[k] for k in tags}
    assert rows[0]["step"] != "unassigned" and rows[3]["step"] == "delivery"


def test_tag_redact_segments_point_into_the_redacted_text(
    runner: CliRunner, write_csv: Callable[..., Path], tmp_path: Path
) -> None:
    source = write_csv(FEEDBACK)
    out = tmp_path / "segments.jsonl"
    args = ["tag", str(source), "-j", "ecommerce", "--redact", "--granularity", "segment"]
    result = runner.invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_id = {row["id"]: text for row, text in zip(FEEDBACK, REDACTED, strict=True)}
    for record in records:
        comment = by_id[record["id"]]
        assert comment[record["start"] : record["end"]] == record["text"]
    texts = " ".join(record["text"] for record in records)
    assert "[CARD]" in texts and "[PHONE]" in texts and "[NAME]" in texts
    for secret in SECRETS:
        assert secret not in texts


def test_tag_without_redact_keeps_the_text(
    runner: CliRunner, write_csv: Callable[..., Path], tmp_path: Path
) -> None:
    source = write_csv(FEEDBACK[:1])
    out = tmp_path / "plain.csv"
    result = runner.invoke(cli, ["tag", str(source), "-j", "ecommerce", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert read(out)[0]["text"] == FEEDBACK[0]["text"]
    assert "redacted:" not in result.output
