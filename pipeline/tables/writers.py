"""Write CSV, JSON Lines and Parquet tables chunk by chunk.

Output goes to ``OUTPUT.part`` and is renamed to OUTPUT only when the writer closes cleanly, so a
file at OUTPUT is always complete. In CSV, nested values (lists, dicts) are written as JSON
strings; JSON Lines and Parquet keep them nested.

With ``durable=True`` every ``write`` ends on disk (flushed and fsynced) and ``position()`` says
where: the byte size of ``OUTPUT.part`` for CSV/TSV/JSON Lines, or the number of part files for
Parquet, which then goes to ``OUTPUT.parts/part-NNNNN.parquet`` (one file per write, a footer
each, so a killed process leaves whole parts) and is merged into OUTPUT on ``close``.
``TableWriter.reopen`` continues from such a position after a crash, dropping anything written
after it. ``abort(keep=True)`` leaves the partial output for that.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from steplens.pipeline.errors import InputFileError
from steplens.pipeline.tables.formats import TableFormat, output_format_for_path
from steplens.pipeline.tables.readers import Row

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"
PARTS_SUFFIX = ".parts"


class TableWriter:
    """Writes records to a table file in chunks; use as a context manager.

    ``columns`` fixes the column order (CSV needs it up front); without it the first chunk's
    keys are used. A later record with a key outside the columns is an error rather than a
    silently dropped value. ``types`` names the Parquet type of columns whose type the writer
    must not guess from the first rows (``string``, ``double``, ``int64`` or ``steps``): `tag`
    passes its own columns, so a first chunk of empty or unscored comments cannot fix a score
    column as text.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        columns: Sequence[str] | None = None,
        durable: bool = False,
        types: Mapping[str, str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.durable = durable
        self.format = output_format_for_path(self.path)
        if self.path.is_dir():
            raise InputFileError(f"{self.path}: is a folder; give a file name for the output")
        parent = self.path.parent
        if not parent.exists():
            parent.mkdir(parents=True, exist_ok=True)
        self.part_path = self.path.with_name(self.path.name + PART_SUFFIX)
        self.parts_dir = self.path.with_name(self.path.name + PARTS_SUFFIX)
        self.parts_written = 0
        self.columns: list[str] | None = list(columns) if columns is not None else None
        self.rows_written = 0
        self._handle: IO[str] | None = None
        self._csv: Any = None  # csv.DictWriter (no public generic type)
        self._parquet: Any = None  # pyarrow.parquet.ParquetWriter, imported lazily
        self._schema: Any = None
        self._types = dict(types or {})
        self._closed = False

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, records: Sequence[Row]) -> None:
        """Append records (dicts) to the output."""
        if not records:
            return
        if self.columns is None:
            self.columns = list(records[0])
        self._check_keys(records)
        if self.format is TableFormat.PARQUET:
            if self.durable:
                self._write_parquet_part(records)
            else:
                self._write_parquet(records)
        elif self.format is TableFormat.JSONL:
            self._write_jsonl(records)
        else:
            self._write_delimited(records)
        self.rows_written += len(records)
        if self.durable and self._handle is not None:
            self._handle.flush()
            os.fsync(self._handle.fileno())

    def position(self) -> int:
        """Where the durable output ends: bytes of OUTPUT.part, or Parquet part files."""
        if self.format is TableFormat.PARQUET:
            return self.parts_written
        return self._handle.tell() if self._handle is not None else 0

    @classmethod
    def reopen(
        cls, path: str | Path, *, columns: Sequence[str], position: int, rows_written: int
    ) -> TableWriter:
        """A durable writer that continues an interrupted one from ``position``."""
        writer = cls(path, columns=columns, durable=True)
        writer.rows_written = rows_written
        if writer.format is TableFormat.PARQUET:
            writer.parts_written = position
            for part in writer.parts_dir.glob("part-*.parquet*"):
                number = part.name.removeprefix("part-").split(".")[0]
                if not number.isdigit() or int(number) >= position or part.suffix != ".parquet":
                    part.unlink()  # written after the last durable checkpoint
            return writer
        if not writer.part_path.exists() or writer.part_path.stat().st_size < position:
            raise InputFileError(
                f"{writer.part_path} is missing or shorter than its checkpoint ({position} "
                "bytes); it cannot be resumed: delete it and its .progress.json, and start over"
            )
        with writer.part_path.open("r+b") as handle:
            handle.truncate(position)  # drop a chunk that was being written when it stopped
        writer._handle = writer.part_path.open("a", encoding="utf-8", newline="")
        if writer.format is not TableFormat.JSONL:
            delimiter = "\t" if writer.format is TableFormat.TSV else ","
            writer._csv = csv.DictWriter(
                writer._handle, fieldnames=list(columns), delimiter=delimiter
            )  # the header is already in the file
        return writer

    def close(self) -> Path:
        """Finish the file and move it into place; returns the output path."""
        if self._closed:
            return self.path
        self._closed = True
        if self.format is TableFormat.PARQUET and self.durable and self.parts_written:
            self._merge_parquet_parts()
        elif self.rows_written == 0 and self.columns is not None:
            self._write_header_only()
        self._close_handles()
        if not self.part_path.exists():
            self.part_path.touch()
        os.replace(self.part_path, self.path)
        if self.parts_dir.exists():
            for part in self.parts_dir.iterdir():
                part.unlink()
            self.parts_dir.rmdir()
        return self.path

    def abort(self, *, keep: bool = False) -> None:
        """Stop writing; remove the partial output unless ``keep`` (to resume it later).

        Any earlier OUTPUT is left untouched either way.
        """
        self._closed = True
        self._close_handles()
        if keep:
            return
        if self.part_path.exists():
            self.part_path.unlink()
            logger.info("removed incomplete output %s", self.part_path)
        if self.parts_dir.exists():
            for part in self.parts_dir.iterdir():
                part.unlink()
            self.parts_dir.rmdir()

    def _check_keys(self, records: Sequence[Row]) -> None:
        if self.format is TableFormat.JSONL:
            return  # each JSON line may have its own shape
        known = set(self.columns or [])
        for offset, record in enumerate(records):
            extra = [key for key in record if key not in known]
            if extra:
                raise InputFileError(
                    f"{self.path}: output row {self.rows_written + offset} has column(s) "
                    f"{', '.join(repr(k) for k in extra)} that earlier rows lack; "
                    f"{self.format.label} output needs the same columns in every row "
                    "(write .jsonl to keep rows of different shapes)"
                )

    def _open_text(self) -> IO[str]:
        if self._handle is None:
            self._handle = self.part_path.open("w", encoding="utf-8", newline="")
        return self._handle

    def _write_delimited(self, records: Sequence[Row]) -> None:
        handle = self._open_text()
        if self._csv is None:
            delimiter = "\t" if self.format is TableFormat.TSV else ","
            self._csv = csv.DictWriter(handle, fieldnames=self.columns or [], delimiter=delimiter)
            self._csv.writeheader()
        self._csv.writerows({k: csv_cell(v) for k, v in record.items()} for record in records)

    def _write_jsonl(self, records: Sequence[Row]) -> None:
        handle = self._open_text()
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, default=_json_default))
            handle.write("\n")

    def _write_parquet(self, records: Sequence[Row]) -> None:
        import pyarrow.parquet as pq

        table = self._arrow_table(records)
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self.part_path, self._schema)
        self._parquet.write_table(table)

    def _arrow_table(self, records: Sequence[Row]) -> Any:
        """Records as an Arrow table in the columns' order; types are set by the first rows."""
        import pyarrow as pa

        columns = self.columns or []
        rows = [{name: record.get(name) for name in columns} for record in records]
        if self._schema is None:
            if self.durable and self.parts_written:  # resumed: the parts on disk set the types
                import pyarrow.parquet as pq

                self._schema = pq.read_schema(self.parts_dir / "part-00000.parquet")
            else:
                self._schema = _settle_nulls(pa.Table.from_pylist(rows).schema, self._types)
        try:
            return pa.Table.from_pylist(rows, schema=self._schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise InputFileError(
                f"{self.path}: rows {self.rows_written}-{self.rows_written + len(rows) - 1} "
                f"do not fit the Parquet column types set by the first rows ({exc}); "
                "make the column's values one type, or write CSV/JSON Lines"
            ) from None

    def _write_parquet_part(self, records: Sequence[Row]) -> None:
        """One durable Parquet file per write: written aside, fsynced, then renamed in."""
        import pyarrow.parquet as pq

        table = self._arrow_table(records)
        self.parts_dir.mkdir(exist_ok=True)
        final = self.parts_dir / f"part-{self.parts_written:05d}.parquet"
        temporary = final.with_name(final.name + ".tmp")
        pq.write_table(table, temporary)
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, final)
        fsync_dir(self.parts_dir)
        self.parts_written += 1

    def _merge_parquet_parts(self) -> None:
        """Stream the parts into OUTPUT.part, one part in memory at a time."""
        import pyarrow.parquet as pq

        parts = [self.parts_dir / f"part-{i:05d}.parquet" for i in range(self.parts_written)]
        schema = pq.read_schema(parts[0])
        with pq.ParquetWriter(self.part_path, schema) as writer:
            for part in parts:
                writer.write_table(pq.read_table(part, schema=schema))

    def _write_header_only(self) -> None:
        if self.format is TableFormat.PARQUET:
            import pyarrow as pa
            import pyarrow.parquet as pq

            schema = pa.schema([(name, pa.string()) for name in self.columns or []])
            pq.write_table(schema.empty_table(), self.part_path)
        elif self.format is not TableFormat.JSONL:
            self._write_delimited([])

    def _close_handles(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (no-op where directories cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _arrow_type(name: str) -> Any:
    """The Arrow type of a ``types`` name (see :class:`TableWriter`)."""
    import pyarrow as pa

    if name == "steps":
        entry = pa.struct(
            [
                ("step", pa.string()),
                ("confidence", pa.float64()),
                ("sentiment", pa.string()),
                ("sentiment_score", pa.float64()),
                ("effort", pa.string()),
                ("effort_score", pa.float64()),
                ("spans", pa.list_(pa.list_(pa.int64()))),
            ]
        )
        return pa.list_(entry)
    return {"string": pa.string(), "double": pa.float64(), "int64": pa.int64()}[name]


def _settle_nulls(schema: Any, types: Mapping[str, str] | None = None) -> Any:
    """Columns that were all-null in the first chunk become strings instead of Arrow's null type;
    columns named in ``types`` get that type whatever the first chunk held."""
    import pyarrow as pa

    fields = []
    for item in schema:
        kind = item.type
        if types and item.name in types:
            kind = _arrow_type(types[item.name])
        elif pa.types.is_null(kind):
            kind = pa.string()
        elif pa.types.is_list(kind) and pa.types.is_null(kind.value_type):
            kind = pa.list_(pa.string())
        fields.append(pa.field(item.name, kind))
    return pa.schema(fields)


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: empty for None, JSON for lists and dicts, ISO for dates."""
    if value is None:
        return ""
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
