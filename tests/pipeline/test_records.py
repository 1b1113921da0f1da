"""The typed record: serialised in one place, read back unchanged, and the same records as
before it existed (the golden outputs of the sample)."""

from __future__ import annotations

import csv
import gzip
import math
from pathlib import Path
from typing import Any

import pytest

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.records import (
    FeedbackRecord,
    Signals,
    StepMention,
    records_from_rows,
)

GOLDEN = Path(__file__).parent / "golden"


def read_csv(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        return list(csv.DictReader(handle))


def same_cell(a: str, b: str) -> bool:
    """Equal text, or numbers equal to 1e-5 (a float's last digits may differ by platform)."""
    if a == b:
        return True
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-5, abs_tol=1e-5)
    except ValueError:
        return False


@pytest.fixture(scope="module")
def fp32_tagger(encoder: Any) -> Any:
    from steplens.pipeline.journey import load_journey
    from steplens.pipeline.tagger import build_tagger

    return build_tagger(load_journey("ecommerce"), precision="fp32")


@pytest.mark.parametrize("granularity", ["comment", "segment"])
def test_tag_writes_the_golden_records_of_the_sample(
    fp32_tagger: Any, granularity: str, tmp_path: Path
) -> None:
    from steplens.pipeline.paths import samples_dir
    from steplens.pipeline.tagger import tag_file

    out = tmp_path / "tagged.csv"
    tag_file(fp32_tagger, samples_dir() / "ecommerce_feedback.csv", out, granularity=granularity)
    name = "comments" if granularity == "comment" else "segments"
    golden = read_csv(GOLDEN / f"ecommerce_sample_{name}.csv.gz")
    now = read_csv(out)
    assert len(now) == len(golden)
    assert list(now[0]) == list(golden[0])
    different = [
        (number, column, old[column], new[column])
        for number, (old, new) in enumerate(zip(golden, now, strict=True), start=1)
        for column in old
        if not same_cell(old[column], new[column])
    ]
    assert not different, different[:5]


def test_a_record_reads_back_as_written(fp32_tagger: Any, tmp_path: Path) -> None:
    """to_row -> CSV -> from_row gives the record back (its clauses are not in the row)."""
    from dataclasses import replace

    from steplens.pipeline.tables import TableWriter, open_table
    from steplens.pipeline.tagger import chunk_records, texts_chunk

    texts = [
        "Checkout froze twice, then the courier lost the parcel.",
        "Muy mal servicio",
        "",
        "love it",
    ]
    records = chunk_records(texts_chunk(texts), fp32_tagger.tag(texts))
    rows = [record.to_row() for record in records]
    out = tmp_path / "records.csv"
    with TableWriter(out, columns=list(rows[0])) as writer:
        writer.write(rows)
    (chunk,) = list(open_table(out).chunks())
    back = [
        FeedbackRecord.from_row(row, number=n, id=int(row["id"]))
        for n, row in enumerate(chunk.rows, start=1)
    ]
    for before, after in zip(records, back, strict=True):
        expected = replace(before, clauses=(), columns={"id": str(before.id), "text": before.text})
        assert after == expected
    assert len(records[0].steps) == 2 and all(m.spans for m in records[0].steps)
    assert records[1].language == "es" and records[1].scored and records[1].signals is None


def test_the_steps_cell_is_checked_once_with_the_row_named() -> None:
    with pytest.raises(SteplensError, match=r"file\.csv, row 3: column 'steps' is not valid JSON"):
        FeedbackRecord.from_row({"steps": "[{"}, where="file.csv, row 3: ")
    with pytest.raises(SteplensError, match="row 2: a 'steps' entry has no step name"):
        records_from_rows([{"steps": "[]"}, {"steps": [{"step": ""}]}], "row")
    with pytest.raises(SteplensError, match="must be a list of step objects"):
        FeedbackRecord.from_row({"steps": '{"step": "checkout"}'})


def test_a_mention_keeps_signals_only_when_scored() -> None:
    scored = StepMention("checkout", 0.8, Signals("negative", -0.7, "high", 4.2), ((0, 5),))
    assert scored.to_json() == {
        "step": "checkout",
        "confidence": 0.8,
        "sentiment": "negative",
        "sentiment_score": -0.7,
        "effort": "high",
        "effort_score": 4.2,
        "spans": [[0, 5]],
    }
    assert StepMention.from_json(scored.to_json()) == scored
    bare = StepMention("checkout", 0.8)
    assert set(bare.to_json()) == {"step", "confidence", "spans"} and bare.sentiment is None
    odd = StepMention.from_json({"step": "checkout", "sentiment_score": "n/a", "spans": [[1]]})
    assert odd.sentiment is None and odd.spans == () and odd.confidence is None


def test_get_reads_tag_fields_and_input_columns() -> None:
    record = FeedbackRecord.from_row(
        {"id": "a1", "text": "hi", "nps": "9", "step": "checkout", "sentiment": "positive"}
    )
    assert record.get("nps") == "9" and record.get("step") == "checkout"
    assert record.get("sentiment") == "positive" and record.get("effort") is None
    assert record.column_names()[:3] == ["id", "text", "nps"]


def test_a_parquet_file_read_with_pandas_reads_back(fp32_tagger: Any, tmp_path: Path) -> None:
    """pandas gives a Parquet list column as numpy arrays (of arrays): 0, 1 and 2 mentions all
    read back, spans included."""
    pandas = pytest.importorskip("pandas")
    from steplens.pipeline.tagger import tag_file

    source = tmp_path / "in.csv"
    source.write_text(
        "id,text\n"
        "a,Checkout froze twice and then the courier lost the parcel.\n"
        "b,The parcel arrived a week late.\n"
        "c,ok\n",
        encoding="utf-8",
    )
    out = tmp_path / "tagged.parquet"
    tag_file(fp32_tagger, source, out)
    frame = pandas.read_parquet(out)
    records = records_from_rows(frame.to_dict("records"), "row")
    assert [len(r.steps) for r in records] == [2, 1, 0]
    assert all(m.spans for r in records for m in r.steps)
    assert records[0].scored and records[0].signals is not None


def test_an_input_column_named_like_a_signal_stays_the_inputs() -> None:
    """A file tagged with --no-signals keeps its own ``sentiment`` column as a column."""
    record = FeedbackRecord.from_row({"text": "hi", "sentiment": "angry", "steps": "[]"})
    assert not record.scored and record.signals is None
    assert record.get("sentiment") == "angry" and record.to_row()["sentiment"] == "angry"
    given = FeedbackRecord(id=1, text="hi", signals=Signals("negative", -0.5, "none", None))
    assert given.scored and given.to_row()["sentiment"] == "negative"


def test_rows_take_ids_from_a_named_column_or_their_position() -> None:
    from steplens.pipeline.records import records_from_rows

    rows = [
        {"text": "a", "Ticket ID": "T-1", "id": "other"},
        {"text": "b", "Ticket ID": float("nan"), "id": "other"},
        {"text": "c", "Ticket ID": None},
    ]
    records = records_from_rows(rows, "DataFrame row", id_column="Ticket ID")
    assert [record.id for record in records] == ["T-1", 1, 2]  # positions, as without ids
