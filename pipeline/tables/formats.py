"""Table file formats steplens reads and writes, chosen by extension and checked by content."""

from __future__ import annotations

import enum
from pathlib import Path

from steplens.pipeline.errors import InputFileError

PARQUET_MAGIC = b"PAR1"


class TableFormat(enum.Enum):
    """A supported table format."""

    CSV = "csv"
    TSV = "tsv"
    JSONL = "jsonl"
    PARQUET = "parquet"
    XLSX = "xlsx"
    """Excel workbooks: read (first sheet, or ``--sheet``), never written."""

    @property
    def label(self) -> str:
        """The format's name as people write it."""
        return {
            "csv": "CSV",
            "tsv": "TSV",
            "jsonl": "JSON Lines",
            "parquet": "Parquet",
            "xlsx": "Excel",
        }[self.value]


_SUFFIXES = {
    ".csv": TableFormat.CSV,
    ".tsv": TableFormat.TSV,
    ".jsonl": TableFormat.JSONL,
    ".ndjson": TableFormat.JSONL,
    ".parquet": TableFormat.PARQUET,
    ".pq": TableFormat.PARQUET,
    ".xlsx": TableFormat.XLSX,
    ".xlsm": TableFormat.XLSX,
}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
"""An OLE2 compound file: an encrypted (password-protected) workbook, or an old .xls."""


def supported_suffixes() -> list[str]:
    """The file extensions steplens understands."""
    return list(_SUFFIXES)


def format_for_path(path: Path) -> TableFormat:
    """The format named by a file's extension; an error listing the supported ones otherwise."""
    suffix = path.suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    raise InputFileError(
        f"{path}: unsupported file type {suffix or '(no extension)'!r}; "
        f"use one of {', '.join(supported_suffixes())}"
    )


def output_format_for_path(path: Path) -> TableFormat:
    """The format an output file's extension names; Excel is read, never written."""
    fmt = format_for_path(path)
    if fmt is TableFormat.XLSX:
        raise InputFileError(
            f"{path}: Excel workbooks are read, not written; name the output .csv, .tsv, .jsonl "
            "or .parquet (Excel opens a .csv)"
        )
    return fmt


def check_content_matches(path: Path, fmt: TableFormat) -> None:
    """Fail early, with a helpful message, when a file's bytes contradict its extension."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if fmt is TableFormat.XLSX:
        if head[:4] == OLE_MAGIC:
            raise InputFileError(
                f"{path}: a password-protected workbook (or an old .xls saved as .xlsx); open it "
                "in Excel, remove the password and save it as .xlsx (or export it as CSV UTF-8)"
            )
        if head[:4] != ZIP_MAGIC:
            raise InputFileError(
                f"{path}: not an Excel workbook (an .xlsx file is a zip archive)"
                + _guess_hint(head)
            )
        return
    if head[:4] == ZIP_MAGIC and path.suffix.lower() in (".csv", ".tsv"):
        raise InputFileError(f"{path}: this is a zip archive (an Excel workbook?), not text")
    if fmt is TableFormat.PARQUET:
        if head[:4] != PARQUET_MAGIC:
            raise InputFileError(
                f"{path}: not a Parquet file (it does not start with Parquet's 'PAR1' marker)"
                + _guess_hint(head)
            )
        return
    if head[:4] == PARQUET_MAGIC:
        raise InputFileError(
            f"{path}: this is a Parquet file, not {fmt.label}; rename it to end in .parquet"
        )
    # A stray NUL inside a comment is text (steplens writes what it read back out); a file whose
    # first 4 KB are more than a tenth control bytes, NUL among them, is not.
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 13))
    binary = b"\x00" in head and controls * 10 > len(head)
    if binary and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(
            f"{path}: binary data (NUL bytes in the first 4 KB), not a {fmt.label} text file"
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(
            f"{path}: the file is UTF-16 encoded; re-save it as UTF-8 (e.g. 'Save as CSV UTF-8')"
        )
    if fmt is TableFormat.JSONL:
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped and not stripped.startswith(b"{"):
            kind = "a JSON array" if stripped.startswith(b"[") else "not JSON Lines"
            raise InputFileError(
                f"{path}: {kind}; a .jsonl file holds one JSON object per line"
                + (" (convert the array to one object per line)" if kind == "a JSON array" else "")
            )


def _guess_hint(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{"):
        return "; it looks like JSON Lines: rename it to .jsonl"
    if b"," in text.split(b"\n", 1)[0]:
        return "; it looks like CSV: rename it to .csv"
    return ""
