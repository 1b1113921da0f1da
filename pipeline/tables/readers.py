"""Read CSV, JSON Lines and Parquet tables in chunks, never loading a whole file.

A table of feedback has a text column and, usually, an id column. Rows keep every input column
as it was (CSV values stay strings, so ids such as ``00123`` survive), and each chunk carries the
rows' texts and ids beside them. Empty or whitespace-only texts are kept as they are: the
pipeline tags them ``unassigned`` instead of dropping rows.
"""

from __future__ import annotations

import abc
import contextlib
import csv
import functools
import itertools
import json
import logging
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from steplens.pipeline.errors import InputFileError, MissingDependencyError, SteplensError
from steplens.pipeline.tables.export_headers import (
    QUALTRICS_HEADER_ROWS,
    is_surveymonkey_subheader,
    merge_surveymonkey_header,
    qualtrics_header_rows,
    without_qualtrics_headers,
)
from steplens.pipeline.tables.formats import TableFormat, check_content_matches, format_for_path

logger = logging.getLogger(__name__)

DEFAULT_TEXT_COLUMN = "text"
DEFAULT_ID_COLUMN = "id"
DEFAULT_CHUNK_SIZE = 1000
_WORD = re.compile(r"[^\W\d_]{2,}")
"""A word of letters (any script), for telling comments from dates and codes."""

Row = dict[str, Any]


@dataclass
class Chunk:
    """Consecutive rows of a table, with their texts and ids pulled out."""

    start: int
    """0-based position of the first row in the file."""
    rows: list[Row]
    texts: list[str] = field(default_factory=list)
    ids: list[Any] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


class Table:
    """A table file opened for chunked reading.

    ``columns`` is known as soon as the table is open (CSV header, Parquet schema, the first
    JSON object), so a missing text or id column fails before any work is done.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        text_column: str = DEFAULT_TEXT_COLUMN,
        id_column: str | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        encoding: str = "utf-8",
        ids_needed: bool = True,
        sheet: str | None = None,
    ) -> None:
        """``ids_needed=False`` (labelled examples) skips the warning about a missing id column;
        ``sheet`` names an Excel workbook's sheet (the first by default)."""
        self.path = Path(path)
        if not self.path.exists():
            raise InputFileError(f"{self.path}: no such file")
        if self.path.is_dir():
            raise InputFileError(f"{self.path}: is a folder, not a table file")
        if chunk_size < 1:
            raise InputFileError(f"chunk size must be at least 1, got {chunk_size}")
        self.format = format_for_path(self.path)
        check_content_matches(self.path, self.format)
        self.chunk_size = chunk_size
        self.encoding = encoding
        if sheet is not None and self.format is not TableFormat.XLSX:
            raise InputFileError(f"{self.path}: --sheet applies to Excel workbooks (.xlsx) only")
        self._source = _open_source(self.path, self.format, encoding, sheet)
        self.delimiter = getattr(self._source, "delimiter", None)
        """The field separator of a CSV/TSV file (read from its header line for .csv)."""
        self.sheet: str | None = getattr(self._source, "sheet", None)
        """The sheet read from an Excel workbook."""
        self.columns: list[str] = self._source.columns()
        self.text_column = text_column
        if text_column not in self.columns:
            likely = self._likely_text_column()
            self.require_column(
                text_column,
                "text",
                "--text-column",
                f"probably {likely!r}, whose values read most like comments" if likely else "",
            )
        if id_column is not None:
            self.require_column(
                id_column, "id", "--id-column", "or leave it out to use row numbers"
            )
        if id_column is None and DEFAULT_ID_COLUMN in self.columns:
            id_column = DEFAULT_ID_COLUMN
        self.id_column = id_column
        self.ids_are_row_numbers = id_column is None
        if self.ids_are_row_numbers and ids_needed:
            logger.warning(
                "%s has no %r column: ids are the 0-based row numbers (written as column %r)",
                self.path,
                DEFAULT_ID_COLUMN,
                DEFAULT_ID_COLUMN,
            )

    def require_column(self, name: str, role: str, option: str, alternative: str = "") -> None:
        """Fail, listing the columns that exist, when the ``role`` column ``name`` is missing."""
        if name not in self.columns:
            hint = f"Name the right one with {option}" + (f", {alternative}" if alternative else "")
            raise InputFileError(
                f"{self.path}: no {role} column {name!r}; the columns are: "
                f"{_list_columns(self.columns)}. {hint}."
            )

    def _likely_text_column(self, rows: int = 200) -> str | None:
        """The column whose first ``rows`` values hold the most words (a survey export names
        its comment column after the question), when they read like comments: three or more
        words of letters on average, so dates, times, ids and one-word answers never win.
        None when nothing does or the rows cannot be read."""
        words: dict[str, list[int]] = {name: [] for name in self.columns}
        with contextlib.suppress(SteplensError):
            rows_read = without_qualtrics_headers(self._source.rows(), self.path)
            for row in itertools.islice(rows_read, rows):
                for name, value in row.items():
                    if isinstance(value, str) and value.strip() and name in words:
                        words[name].append(len(_WORD.findall(value)))
        means = {name: sum(found) / len(found) for name, found in words.items() if found}
        best = max(means, key=means.__getitem__, default=None)
        return best if best is not None and means[best] >= 3 else None

    @functools.cached_property
    def export_layout(self) -> str | None:
        """``"SurveyMonkey"`` or ``"Qualtrics"`` when the file is such a survey export, whose
        extra header rows this reader merges or skips (see export_headers.py); else None."""
        if self._source.merged_header:
            return "SurveyMonkey"
        head: list[Row] = []
        with contextlib.suppress(SteplensError):  # reading the rows reports a bad one
            head.extend(itertools.islice(self._source.rows(), QUALTRICS_HEADER_ROWS))

        return "Qualtrics" if self._source.qualtrics_rows or qualtrics_header_rows(head) else None

    def row_count_hint(self) -> int | None:
        """The number of rows when the format knows it without reading (Parquet), else None."""
        return self._source.row_count()

    def chunks(self) -> Iterator[Chunk]:
        """The table's rows, ``chunk_size`` at a time, in file order."""
        buffer: list[Row] = []
        start = 0
        for row in without_qualtrics_headers(self._source.rows(), self.path):
            buffer.append(row)
            if len(buffer) >= self.chunk_size:
                yield self._make_chunk(start, buffer)
                start += len(buffer)
                buffer = []
        if buffer:
            yield self._make_chunk(start, buffer)

    def __iter__(self) -> Iterator[Chunk]:
        return self.chunks()

    def _make_chunk(self, start: int, rows: list[Row]) -> Chunk:
        texts = [as_text(row.get(self.text_column)) for row in rows]
        if self.id_column is None:
            ids: list[Any] = list(range(start, start + len(rows)))
        else:
            ids = [row.get(self.id_column) for row in rows]
        return Chunk(start=start, rows=rows, texts=texts, ids=ids)


def open_table(
    path: str | Path,
    *,
    text_column: str = DEFAULT_TEXT_COLUMN,
    id_column: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    encoding: str = "utf-8",
    ids_needed: bool = True,
    sheet: str | None = None,
) -> Table:
    """Open a CSV/TSV, JSON Lines, Parquet or Excel file (by extension) for chunked reading;
    ``sheet`` picks an Excel workbook's sheet (the first by default)."""
    return Table(
        path,
        text_column=text_column,
        id_column=id_column,
        chunk_size=chunk_size,
        encoding=encoding,
        ids_needed=ids_needed,
        sheet=sheet,
    )


def table_columns(path: str | Path, *, encoding: str = "utf-8") -> list[str]:
    """A table file's column names, from its header or schema alone (as ``open_table`` would
    name them, SurveyMonkey's two header rows merged)."""
    source = Path(path)
    return _open_source(source, format_for_path(source), encoding).columns()


def as_text(value: Any) -> str:
    """A cell as comment text: missing values become empty text, numbers their string."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from a numeric column
        return ""
    return value if isinstance(value, str) else str(value)


def _list_columns(columns: list[str]) -> str:
    return ", ".join(repr(c) for c in columns) if columns else "(none)"


class _RowSource(abc.ABC):
    """One format's way of listing columns and streaming rows."""

    @abc.abstractmethod
    def columns(self) -> list[str]:
        """The column names, in file order."""

    @abc.abstractmethod
    def rows(self) -> Iterator[Row]:
        """Every row as a dict, in file order."""

    merged_header = False
    """Whether the header was merged from SurveyMonkey's two header rows."""
    qualtrics_rows = 0
    """Qualtrics header rows the source skipped itself (a CSV file, so its messages count
    data rows from the first answer)."""

    def row_count(self) -> int | None:
        """The number of rows if known without reading them."""
        return None


def _open_source(
    path: Path, fmt: TableFormat, encoding: str, sheet: str | None = None
) -> _RowSource:
    if fmt is TableFormat.XLSX:
        return _ExcelSource(path, sheet)
    if fmt is TableFormat.PARQUET:
        return _ParquetSource(path)
    if fmt is TableFormat.JSONL:
        return _JsonLinesSource(path, encoding)
    if fmt is TableFormat.TSV:
        return _DelimitedSource(path, encoding, delimiter="\t")
    stat = path.stat()
    return _DelimitedSource(
        path, encoding, delimiter=_sniff_delimiter(path, stat.st_mtime_ns, stat.st_size, encoding)
    )


DELIMITERS = (",", ";", "\t", "|")
"""Separators a .csv file may use: spreadsheets in many locales save ';'-separated "CSV"."""


@functools.lru_cache(maxsize=64)
def _sniff_delimiter(path: Path, mtime_ns: int, size: int, encoding: str) -> str:
    """The separator a .csv file's header line uses most (outside quotes); ',' when none does.

    Column names rarely hold a separator, so the header says reliably what the comments (full of
    commas and semicolons) cannot. A separator other than ',' is logged, so a run says how it
    read the file.
    """
    with path.open("rb") as handle:
        raw = handle.readline(1 << 20)
    try:
        header = raw.decode(encoding).removeprefix("\ufeff")
    except (UnicodeDecodeError, LookupError):
        return ","  # the reader reports the undecodable bytes with their line
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    if counts[best] == 0 or best == ",":
        return ","
    name = {";": "semicolon", "\t": "tab", "|": "pipe"}[best]
    logger.warning(
        "%s: read as %s-separated (its header line has %d %r and %d ',')",
        path,
        name,
        counts[best],
        best,
        counts[","],
    )
    return best


class _LineDecoder:
    """Decodes a binary file line by line so an undecodable byte is pinned to its line."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.path = path
        self.encoding = encoding
        self.line = 0
        self.rows_done = 0

    def lines(self, handle: IO[bytes]) -> Iterator[str]:
        for raw in handle:
            self.line += 1
            try:
                text = raw.decode(self.encoding)
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    f"{self.path}: data row {self.rows_done + 1} (file line {self.line}) holds "
                    f"bytes that are not valid {self.encoding} ({raw[exc.start : exc.start + 4]!r} "
                    f"at byte {exc.start} of the line); re-save the file as UTF-8 "
                    "or pass its encoding, e.g. --encoding latin-1"
                ) from None
            if self.line == 1:
                text = text.removeprefix("\ufeff")
            yield text


class _CsvReader(Protocol):
    """What ``csv.reader`` returns: rows, and the file line it has read to."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


class _DelimitedSource(_RowSource):
    """CSV or TSV with a header row; quoted newlines, BOM and CRLF line endings are handled."""

    def __init__(self, path: Path, encoding: str, delimiter: str) -> None:
        self.path = path
        self.encoding = encoding
        self.delimiter = delimiter
        self._header: list[str] | None = None
        self._unnamed_tail = 0
        """Empty columns after the last named one (a spreadsheet's), read past."""

    def columns(self) -> list[str]:
        if self._header is None:
            with self.path.open("rb") as handle:
                decoder = _LineDecoder(self.path, self.encoding)
                reader = csv.reader(decoder.lines(handle), delimiter=self.delimiter)
                self._header, _ = self._read_header(reader, decoder)
        return self._header

    def rows(self) -> Iterator[Row]:
        _raise_csv_field_limit()
        with self.path.open("rb") as handle:
            decoder = _LineDecoder(self.path, self.encoding)
            reader = csv.reader(decoder.lines(handle), delimiter=self.delimiter)
            header, first = self._read_header(reader, decoder)
            named = len(header)
            width = named + self._unnamed_tail
            try:
                # The first rows, read ahead to tell a Qualtrics export's extra header rows
                # (with the file line each ends on, for messages).
                head = [(first, reader.line_num)] if first is not None else []
                while head and len(head) < QUALTRICS_HEADER_ROWS:
                    values = next((v for v in reader if v), None)
                    if values is None:
                        break
                    head.append((values, reader.line_num))
                    decoder.rows_done += 1
                whole = itertools.takewhile(lambda row: len(row[0]) == width, head)
                skip = qualtrics_header_rows(
                    [dict(zip(header, v[:named], strict=True)) for v, _ in whole]
                )
                if skip:  # skipped here, so data rows in messages count answers only
                    logger.info(
                        "%s: skipped %d header row(s) of a Qualtrics export", self.path, skip
                    )
                    self.qualtrics_rows = skip
                    decoder.rows_done -= skip
                for number, (values, line) in enumerate(head[skip:], start=1):
                    yield self._row(header, values, width, number, line)
                if self._unnamed_tail:
                    for values in reader:
                        if values:  # else a blank line between records
                            decoder.rows_done += 1
                            yield self._row(
                                header, values, width, decoder.rows_done, reader.line_num
                            )
                    return
                for values in reader:  # the common case, kept tight: most rows pass here
                    if not values:
                        continue
                    decoder.rows_done += 1
                    if len(values) != width:  # _row raises, naming the row and line
                        self._row(header, values, width, decoder.rows_done, reader.line_num)
                    yield dict(zip(header, values, strict=True))
            except csv.Error as exc:
                raise InputFileError(
                    f"{self.path}: malformed CSV at data row {decoder.rows_done + 1} "
                    f"(file line {reader.line_num}): {exc}"
                ) from None

    def _row(self, header: list[str], values: list[str], width: int, number: int, line: int) -> Row:
        """Data row ``number`` (ending on file ``line``) as a dict; an error when it has the
        wrong number of fields or a value in an unnamed trailing column."""
        if len(values) != width:
            raise InputFileError(
                f"{self.path}: data row {number} (ending on file line {line}) has "
                f"{len(values)} fields but the header has {width}; check for an unquoted "
                f"{self._delimiter_name()} or quote"
            )
        named = len(header)
        if any(value.strip() for value in values[named:]):
            raise InputFileError(
                f"{self.path}: data row {number} (ending on file line {line}) has a value in a "
                "column with no name in the header; name that column or delete it"
            )
        return dict(zip(header, values[:named], strict=True))

    def _read_header(
        self, reader: _CsvReader, decoder: _LineDecoder
    ) -> tuple[list[str], list[str] | None]:
        """The column names and the first data row, read past (None when the file has none).

        SurveyMonkey's second header row is merged into the names and read past instead.
        ``decoder.rows_done`` counts the data rows read (so a bad byte names its row)."""
        _raise_csv_field_limit()  # the first row may be a long pasted thread
        try:
            header = next(reader, None)
            first = next((values for values in reader if values), None)
        except csv.Error as exc:
            raise InputFileError(
                f"{self.path}: malformed header or first row (file line {reader.line_num}): {exc}"
            ) from None
        if header is None or not any(name.strip() for name in header):
            raise InputFileError(f"{self.path}: the file is empty; expected a header row")
        if first is not None and is_surveymonkey_subheader(header, first):
            logger.info("%s: merged the two header rows of a SurveyMonkey export", self.path)
            header, first = merge_surveymonkey_header(header, first), None
            self.merged_header = True
            try:
                first = next((values for values in reader if values), None)
            except csv.Error as exc:
                raise InputFileError(
                    f"{self.path}: malformed CSV at data row 1 (file line {reader.line_num}): {exc}"
                ) from None
        decoder.rows_done = 1 if first is not None else 0
        header = [name.strip() for name in header]
        self._unnamed_tail = 0
        while len(header) > 1 and not header[-1]:  # a spreadsheet's empty trailing columns
            header.pop()
            self._unnamed_tail += 1
        blank = [position + 1 for position, name in enumerate(header) if not name]
        if len(blank) > 1:
            raise InputFileError(
                f"{self.path}: header cell(s) in column(s) {', '.join(map(str, blank))} are "
                "empty; name every column in the header row"
            )
        duplicates = sorted({name for name in header if header.count(name) > 1})
        if duplicates:
            raise InputFileError(
                f"{self.path}: the header repeats column(s) {_list_columns(duplicates)}; "
                "column names must be unique"
            )
        return header, first

    def _delimiter_name(self) -> str:
        return "tab" if self.delimiter == "\t" else "comma"


class _JsonLinesSource(_RowSource):
    """One JSON object per line; blank lines are skipped."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.path = path
        self.encoding = encoding

    def columns(self) -> list[str]:
        for row in self.rows():
            return list(row)
        raise InputFileError(f"{self.path}: the file holds no JSON objects")

    def rows(self) -> Iterator[Row]:
        with self.path.open("rb") as handle:
            decoder = _LineDecoder(self.path, self.encoding)
            for line in decoder.lines(handle):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputFileError(
                        f"{self.path}: line {decoder.line} is not valid JSON "
                        f"({exc.msg} at column {exc.colno})"
                    ) from None
                if not isinstance(value, dict):
                    raise InputFileError(
                        f"{self.path}: line {decoder.line} is a JSON {type(value).__name__}, "
                        "not an object; each line must be one object such as "
                        '{"id": 1, "text": "..."}'
                    )
                decoder.rows_done += 1
                yield value


class _ParquetSource(_RowSource):
    """Parquet read record batch by record batch."""

    def __init__(self, path: Path) -> None:
        import pyarrow.parquet as pq

        self.path = path
        try:
            self._file = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for bad files
            raise InputFileError(f"{path}: not a readable Parquet file ({exc})") from None

    def columns(self) -> list[str]:
        return list(self._file.schema_arrow.names)

    def row_count(self) -> int | None:
        return int(self._file.metadata.num_rows)

    def rows(self) -> Iterator[Row]:
        try:
            for batch in self._file.iter_batches(batch_size=4096):
                yield from batch.to_pylist()
        except Exception as exc:
            raise InputFileError(f"{self.path}: the Parquet data cannot be read ({exc})") from None


class _ExcelSource(_RowSource):
    """One sheet of an Excel workbook (python-calamine): its first row is the header.

    Cells come back typed: text, numbers (a whole number as an int, so an id 1001 stays 1001),
    dates and times as datetimes, empty cells as empty text, as a CSV file would give them.
    """

    def __init__(self, path: Path, sheet: str | None) -> None:
        try:
            from python_calamine import CalamineWorkbook
        except ImportError:
            raise MissingDependencyError(
                "reading Excel workbooks needs python-calamine: pip install python-calamine"
            ) from None
        self.path = path
        try:
            self._book = CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine raises its own errors for broken workbooks
            raise InputFileError(f"{path}: not a readable Excel workbook ({exc})") from None
        names = list(self._book.sheet_names)
        if not names:
            raise InputFileError(f"{path}: the workbook has no sheets")
        if sheet is not None and sheet not in names:
            raise InputFileError(
                f"{path}: no sheet {sheet!r}; its sheets are: {', '.join(map(repr, names))}"
            )
        self.sheet = sheet or names[0]
        """The sheet read (said by ``steplens inspect``)."""
        try:
            self._sheet = self._book.get_sheet_by_name(self.sheet)
        except Exception as exc:  # calamine's own errors for a sheet it cannot read
            raise InputFileError(f"{path}: sheet {self.sheet!r} cannot be read ({exc})") from None
        rows = self._filled_rows()
        first = next(rows, None)
        if first is None:
            raise InputFileError(f"{path}: sheet {self.sheet!r} is empty")
        header = [str(cell).strip() for cell in first]
        second = next(rows, None)
        self._header_rows = 1
        if second is not None and is_surveymonkey_subheader(header, second):
            logger.info("%s: merged the two header rows of a SurveyMonkey export", path)
            header = merge_surveymonkey_header(header, second)
            self._header_rows = 2
            self.merged_header = True
        while header and not header[-1]:
            header.pop()
        blank = [i + 1 for i, name in enumerate(header) if not name]
        if blank:
            raise InputFileError(
                f"{path}: sheet {self.sheet!r}: header cell(s) in column(s) "
                f"{', '.join(map(str, blank))} are empty; name every column in the first row"
            )
        repeated = sorted({n for n in header if header.count(n) > 1})
        if repeated:
            raise InputFileError(
                f"{path}: sheet {self.sheet!r}: column name(s) {', '.join(map(repr, repeated))} "
                "appear twice in the first row"
            )
        self._header = header

    def columns(self) -> list[str]:
        return list(self._header)

    def rows(self) -> Iterator[Row]:
        width = len(self._header)
        header_rows = self._header_rows
        try:
            for cells in self._sheet.iter_rows():
                values = [_excel_cell(cell) for cell in cells[:width]]
                if not any(value != "" for value in values):
                    continue  # an empty row, or one whose cells are all past the header
                if header_rows:
                    header_rows -= 1
                    continue
                values += [""] * (width - len(values))
                yield dict(zip(self._header, values, strict=True))
        except Exception as exc:  # calamine's own errors for a sheet it cannot read
            raise InputFileError(
                f"{self.path}: sheet {self.sheet!r} cannot be read ({exc})"
            ) from None

    def _filled_rows(self) -> Iterator[list[Any]]:
        """The sheet's rows from the top, typed, without empty ones (spreadsheets keep
        formatted empty rows)."""
        try:
            for cells in self._sheet.iter_rows():
                values = [_excel_cell(cell) for cell in cells]
                if any(value != "" for value in values):
                    yield values
        except Exception as exc:  # calamine's own errors for a sheet it cannot read
            raise InputFileError(
                f"{self.path}: sheet {self.sheet!r} cannot be read ({exc})"
            ) from None


def _excel_cell(value: Any) -> Any:
    """A cell as the other formats give it: a whole float as an int, the rest as calamine reads
    it (text, number, bool, date or datetime)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _raise_csv_field_limit() -> None:
    """Allow long comments: csv's default 128 KB field limit is too small for pasted threads."""
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 10
