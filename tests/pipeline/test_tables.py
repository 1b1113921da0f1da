"""Chunked table I/O: the three formats round-trip and every bad file gets a precise error."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from steplens.pipeline.errors import InputFileError
from steplens.pipeline.tables import TableWriter, open_table
from steplens.pipeline.tables.profile import profile_table

Writer = Callable[..., Path]


def read_all(path: Path, **options: Any) -> tuple[list[dict[str, Any]], list[str], list[Any]]:
    table = open_table(path, **options)
    rows, texts, ids = [], [], []
    for chunk in table.chunks():
        rows += chunk.rows
        texts += chunk.texts
        ids += chunk.ids
    return rows, texts, ids


@pytest.mark.parametrize("fixture", ["write_csv", "write_jsonl", "write_parquet"])
def test_reads_each_format_in_chunks_keeping_empty_texts(
    request: pytest.FixtureRequest, fixture: str, sample_rows: list[dict[str, Any]]
) -> None:
    path = request.getfixturevalue(fixture)(sample_rows)
    table = open_table(path, chunk_size=2)
    chunks = list(table.chunks())
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    assert [chunk.start for chunk in chunks] == [0, 2, 4]
    texts = [text for chunk in chunks for text in chunk.texts]
    assert texts == [row["text"] for row in sample_rows]
    ids = [i for chunk in chunks for i in chunk.ids]
    assert ids == ["a1", "a2", "a3", "00123", "a5"]  # string ids survive, leading zeros too
    assert table.columns == ["id", "text", "channel"]


def test_missing_id_column_uses_row_numbers(write_csv: Writer, caplog: Any) -> None:
    path = write_csv([{"comment": "hello"}, {"comment": "bye"}])
    _, texts, ids = read_all(path, text_column="comment")
    assert ids == [0, 1] and texts == ["hello", "bye"]
    assert "0-based row numbers" in caplog.text


def test_missing_text_column_lists_the_columns(write_csv: Writer) -> None:
    path = write_csv([{"id": 1, "comment": "x", "date": "2026-01-01"}])
    with pytest.raises(
        InputFileError, match=r"no text column 'text'.*'id', 'comment', 'date'"
    ) as e:
        open_table(path)
    assert "probably" not in str(e.value)  # no column reads like comments


def test_a_missing_text_column_suggests_the_one_that_reads_like_comments(
    write_csv: Writer,
) -> None:
    """A survey export names its comment column after the question: the error points at it."""
    path = write_csv(
        [
            {"Ticket ID": 1, "Created at": "04/11/2018 08:09:12 PM +0100", "Status": "Solved",
             "Why did you give this score?": "The courier left my parcel in the rain",
             "Group": "Support desk team"},
            {"Ticket ID": 2, "Created at": "04/12/2018 09:10:00 AM +0100", "Status": "Solved",
             "Why did you give this score?": "Refund took three weeks", "Group": "Support desk"},
        ],
        name="export.csv",
    )  # fmt: skip
    with pytest.raises(
        InputFileError,
        match=r"probably 'Why did you give this score\?', whose values read most like",
    ):
        open_table(path)


def test_explicit_id_column_must_exist(write_jsonl: Writer) -> None:
    path = write_jsonl([{"text": "x", "ticket": 3}])
    with pytest.raises(InputFileError, match=r"no id column 'ref'.*'text', 'ticket'"):
        open_table(path, id_column="ref")
    _, _, ids = read_all(path, id_column="ticket")
    assert ids == [3]


def test_parquet_named_csv_is_caught(write_parquet: Writer, sample_rows: list[Any]) -> None:
    path = write_parquet(sample_rows, name="really_parquet.csv")
    with pytest.raises(InputFileError, match="Parquet file, not CSV; rename"):
        open_table(path)


def test_csv_named_parquet_is_caught(write_csv: Writer, sample_rows: list[Any]) -> None:
    path = write_csv(sample_rows, name="really_csv.parquet")
    with pytest.raises(InputFileError, match=r"not a Parquet file.*looks like CSV"):
        open_table(path)


def test_json_array_named_jsonl_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "array.jsonl"
    path.write_text(json.dumps([{"text": "a"}]), encoding="utf-8")
    with pytest.raises(InputFileError, match="a JSON array"):
        open_table(path)


def test_bad_json_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok"}\n\n{"text": "broken"\n', encoding="utf-8")
    table = open_table(path)
    with pytest.raises(InputFileError, match="line 3 is not valid JSON"):
        list(table.chunks())


def test_non_object_json_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "list.jsonl"
    path.write_text('{"text": "ok"}\n["text"]\n', encoding="utf-8")
    with pytest.raises(InputFileError, match="line 2 is a JSON list, not an object"):
        list(open_table(path).chunks())


def test_undecodable_bytes_name_the_row(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"id,text\n1,fine\n2,caf\xe9 au lait\n")
    table = open_table(path)
    with pytest.raises(InputFileError, match=r"data row 2 \(file line 3\).*--encoding latin-1"):
        list(table.chunks())
    _, texts, _ = read_all(path, encoding="latin-1")
    assert texts == ["fine", "café au lait"]


def test_bom_crlf_and_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(b'\xef\xbb\xbfid,text\r\n1,"line one\r\nline two"\r\n2,"say ""hi"", ok"\r\n')
    table = open_table(path)
    assert table.columns == ["id", "text"]  # the BOM is not part of the first column name
    _, texts, ids = read_all(path)
    assert ids == ["1", "2"]
    assert texts == ["line one\r\nline two", 'say "hi", ok']


def test_ragged_row_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("id,text\n1,ok\n2,too,many,fields\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"data row 2 .*line 3\) has 4 fields but the header"):
        list(open_table(path).chunks())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"id,text,id\n1,a,2\n", "repeats column"),
        (b"\x00\x01\x02binary", "binary data"),
    ],
)
def test_broken_csv_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=expected):
        open_table(path)


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "feedback.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputFileError, match=r"unsupported file type '.xls'.*\.csv.*\.xlsx"):
        open_table(path)


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("id,text\n", encoding="utf-8")
    assert list(open_table(path).chunks()) == []


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_writer_round_trips_nested_values(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"out{suffix}"
    records = [
        {"id": "1", "text": "a", "steps": [{"step": "checkout", "confidence": 0.9}]},
        {"id": "2", "text": "", "steps": []},
    ]
    with TableWriter(out) as writer:
        writer.write(records[:1])
        writer.write(records[1:])
    assert out.exists() and not (tmp_path / f"out{suffix}.part").exists()
    rows, _, _ = read_all(out)
    steps = [json.loads(r["steps"]) if suffix == ".csv" else r["steps"] for r in rows]
    assert steps == [records[0]["steps"], []]
    assert [r["id"] for r in rows] == ["1", "2"]


def test_writer_failure_leaves_no_partial_output(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), TableWriter(out) as writer:
        writer.write([{"id": 1, "text": "x"}])
        raise RuntimeError("interrupted")
    assert not out.exists()
    assert not (tmp_path / "out.csv.part").exists()


def test_writer_refuses_to_drop_unknown_columns(tmp_path: Path) -> None:
    with (
        pytest.raises(InputFileError, match="'extra' that earlier rows lack"),
        TableWriter(tmp_path / "out.csv") as writer,
    ):
        writer.write([{"id": 1}])
        writer.write([{"id": 2, "extra": "value"}])


def test_writer_with_no_rows_writes_the_header(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with TableWriter(out, columns=["id", "text", "step"]):
        pass
    with out.open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == ["id", "text", "step"]


def test_chunked_reading_of_a_large_file_keeps_chunks_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        for index in range(25_000):
            writer.writerow([index, f"comment number {index}"])
    table = open_table(path, chunk_size=1000)
    sizes = [len(chunk) for chunk in table.chunks()]
    assert max(sizes) == 1000 and sum(sizes) == 25_000


def test_profile_counts_empty_duplicate_and_rows(write_csv: Writer) -> None:
    rows = [
        {"id": "1", "text": "fine"},
        {"id": "1", "text": "again"},
        {"id": "2", "text": " "},
        {"id": "3", "text": "x" * 2500},
    ]
    profile = profile_table(open_table(write_csv(rows), chunk_size=3))
    assert profile.rows == 4
    assert profile.empty_texts == 1 and profile.first_empty_rows == [3]  # data rows, from 1
    assert profile.duplicate_ids == 1 and profile.first_duplicate_ids == ["1"]
    assert profile.long_texts == 1
    assert profile.text_chars["max"] == 2500


def test_a_semicolon_separated_csv_is_read_and_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        'id;date;text\n1;2018-04-11;"Slow, slow delivery; never again"\n2;2018-04-12;fine\n',
        encoding="utf-8",
    )
    with caplog.at_level("WARNING"):
        table = open_table(path)
        rows = [row for chunk in table.chunks() for row in chunk.rows]
    assert table.delimiter == ";"
    assert rows[0]["text"] == "Slow, slow delivery; never again"
    assert "read as semicolon-separated" in caplog.text
    plain = tmp_path / "plain.csv"
    plain.write_text('id,text\n1,"a; b; c"\n', encoding="utf-8")
    assert open_table(plain).delimiter == ","
    assert profile_table(open_table(path)).delimiter == ";"


def test_examples_files_need_no_id_column(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from steplens.pipeline.steps.head_training import read_examples

    path = tmp_path / "examples.csv"
    path.write_text("text,step\nlate parcel,delivery\n", encoding="utf-8")
    with caplog.at_level("WARNING"):
        assert read_examples(path) == (["late parcel"], ["delivery"])
    assert "id" not in caplog.text


def test_weight_files_are_readable_like_any_file(tmp_path: Path) -> None:
    import os
    import stat

    import numpy as np

    from steplens.pipeline.weights import save_weights

    previous = os.umask(0o022)
    try:
        path = save_weights({"w": np.zeros(3, dtype=np.float32)}, tmp_path / "head.safetensors")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_qualtrics_export_skips_its_two_extra_header_rows(tmp_path: Path) -> None:
    """Qualtrics CSV exports carry three header rows: field ids, question texts and
    ``{"ImportId": ...}`` (its "Understanding your dataset" page); only the answers are rows."""
    path = tmp_path / "qualtrics.csv"
    path.write_text(
        "StartDate,ResponseId,Q1_NPS_GROUP,Q2\n"
        "Start Date,Response ID,How likely are you to recommend us?,Why did you give that score?\n"
        '"{""ImportId"":""startDate""}","{""ImportId"":""_recordId""}",'
        '"{""ImportId"":""QID1_NPS_GROUP""}","{""ImportId"":""QID2_TEXT""}"\n'
        "2018-04-11 20:09:00,R_1,Promoter,Delivery was quick\n"
        "2018-04-12 08:15:00,R_2,Detractor,Checkout froze twice\n",
        encoding="utf-8",
    )
    table = open_table(path, text_column="Q2", id_column="ResponseId")
    rows = [row for chunk in table.chunks() for row in chunk.rows]
    assert [row["ResponseId"] for row in rows] == ["R_1", "R_2"]
    plain = tmp_path / "plain.csv"
    plain.write_text("id,text\n1,{ImportId is just text here}\n2,fine\n", encoding="utf-8")
    assert len([r for c in open_table(plain).chunks() for r in c.rows]) == 2


def test_a_surveymonkey_export_merges_its_two_header_rows(tmp_path: Path) -> None:
    """SurveyMonkey's CSV export has two header rows: question texts (blank over a question's
    later columns), then what each column holds; they merge into one unique name per column."""
    path = tmp_path / "surveymonkey.csv"
    path.write_text(
        "Respondent ID,Start Date,Which step?,,,Why?,Why?\n"
        ",,Response,Delivery,Other (please specify),Open-Ended Response,Open-Ended Response\n"
        "\n"
        "114,04/11/2018 08:09:12 PM,Checkout,,,Card declined twice,again\n",
        encoding="utf-8",
    )
    table = open_table(path, text_column="Why?", id_column="Respondent ID")
    assert table.columns == [
        "Respondent ID", "Start Date", "Which step?", "Which step? - Delivery",
        "Which step? - Other (please specify)", "Why?", "Why? (2)",
    ]  # fmt: skip
    rows = [row for chunk in table.chunks() for row in chunk.rows]
    assert len(rows) == 1 and rows[0]["Why?"] == "Card declined twice"


@pytest.mark.parametrize(
    "content",
    [
        "id,text\n1,Response\n2,fine\n",  # a comment that says "Response"
        "Respondent ID,text\n7,Response\n",  # a respondent column with a value under it
        "a,,text\n1,2,Response\n",  # a blank name and "Response", but no Respondent ID
        "ticket,Start Date,text,Status\n501,,Response,Closed\n",  # a respondent column blank
    ],
)
def test_a_first_row_that_only_looks_like_a_subheader_stays_a_row(
    tmp_path: Path, content: str
) -> None:
    path = tmp_path / "plain.csv"
    path.write_text(content, encoding="utf-8")
    rows = [row for chunk in open_table(path, ids_needed=False).chunks() for row in chunk.rows]
    assert rows[0]["text"] == "Response"


def test_export_rows_are_counted_from_the_first_answer(tmp_path: Path) -> None:
    """Error messages name data rows as the user counts them: after every header row."""
    qualtrics = tmp_path / "qualtrics.csv"
    qualtrics.write_text(
        "ResponseId,Q2\nResponse ID,Why?\n"
        '"{""ImportId"":""_recordId""}","{""ImportId"":""QID2_TEXT""}"\n'
        "R_1,fine\nR_2,too,many\n",
        encoding="utf-8",
    )
    table = open_table(qualtrics, text_column="Q2", id_column="ResponseId")
    assert table.export_layout == "Qualtrics"
    with pytest.raises(InputFileError, match=r"data row 2 \(ending on file line 5\)"):
        list(table.chunks())


def test_a_long_first_comment_opens(tmp_path: Path) -> None:
    """csv's 128 KB field limit is lifted before the header (and the first row) are read."""
    path = tmp_path / "long.csv"
    path.write_text("id,text\n1," + "a" * 200_000 + "\n2,short\n", encoding="utf-8")
    rows = [row for chunk in open_table(path).chunks() for row in chunk.rows]
    assert len(rows[0]["text"]) == 200_000 and rows[1]["text"] == "short"


def test_a_surveymonkey_workbook_with_stray_cells_reads_every_time(tmp_path: Path) -> None:
    """A note to the right of the answers adds no column and no row; the sheet reads the same
    on every pass (inspect, then tag)."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Respondent ID", "Start Date", "Why?"])
    sheet.append([None, None, "Open-Ended Response"])
    sheet.append([114, "04/11/2018 08:09:12 PM", "Card declined twice"])
    sheet.append([115, "04/12/2018 09:10:00 AM", "Quick delivery"])
    sheet.cell(row=6, column=6, value="exported by the survey team")
    path = tmp_path / "surveymonkey.xlsx"
    book.save(path)
    table = open_table(path, text_column="Why?", id_column="Respondent ID")
    assert table.columns == ["Respondent ID", "Start Date", "Why?"]
    assert table.export_layout == "SurveyMonkey"
    first = [row for chunk in table.chunks() for row in chunk.rows]
    again = [row for chunk in table.chunks() for row in chunk.rows]
    assert first == again and [row["Respondent ID"] for row in first] == [114, 115]


def test_empty_trailing_columns_are_read_past(tmp_path: Path) -> None:
    """A spreadsheet saves empty columns after the last named one: they are not columns, and a
    value in one is refused rather than dropped."""
    path = tmp_path / "saved.csv"
    path.write_text("id,text,,\n1,hi,,\n2,yo,,\n", encoding="utf-8")
    table = open_table(path)
    assert table.columns == ["id", "text"]
    assert [row["text"] for chunk in table.chunks() for row in chunk.rows] == ["hi", "yo"]
    path.write_text("id,text,,\n1,hi,,\n2,yo,lost?,\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"data row 2 .* a value in a column with no name"):
        list(open_table(path).chunks())
    path.write_text("a,,text,,b\n1,2,hi,3,4\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"column\(s\) 2, 4 are empty"):
        open_table(path)
