"""A one-pass profile of a feedback table: what a researcher checks before a long tagging job.

Streams the table chunk by chunk (memory stays flat in the number of rows, apart from one
8-byte hash per id for duplicate detection) and counts rows, empty texts, duplicate ids and text
lengths.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from steplens.pipeline.tables.readers import Table

LONG_TEXT_CHARS = 2000
"""Texts longer than this are counted separately: they are split into many segments."""


@dataclass
class TableProfile:
    """What ``steplens inspect`` reports about a table."""

    path: str
    format: str
    columns: list[str]
    text_column: str
    id_column: str | None
    ids_are_row_numbers: bool
    delimiter: str | None = None
    """A CSV/TSV file's field separator (a .csv one is read from its header line)."""
    export_layout: str | None = None
    """``SurveyMonkey`` or ``Qualtrics`` when the file is such an export with extra header
    rows (merged or skipped, so they are not counted as rows)."""
    rows: int = 0
    empty_texts: int = 0
    duplicate_ids: int = 0
    long_texts: int = 0
    text_chars: dict[str, float] = field(default_factory=dict)
    first_empty_rows: list[int] = field(default_factory=list)
    first_duplicate_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def profile_table(
    table: Table,
    *,
    on_chunk: Callable[[int], None] | None = None,
    examples: int = 5,
) -> TableProfile:
    """Read the whole table once and summarise it; ``on_chunk`` gets each chunk's row count."""
    profile = TableProfile(
        path=str(table.path),
        format=table.format.label,
        columns=list(table.columns),
        text_column=table.text_column,
        id_column=table.id_column,
        ids_are_row_numbers=table.ids_are_row_numbers,
        delimiter=table.delimiter,
        export_layout=table.export_layout,
    )
    lengths = array("L")
    seen_ids: set[bytes] = set()
    for chunk in table.chunks():
        for offset, (text, row_id) in enumerate(zip(chunk.texts, chunk.ids, strict=True)):
            lengths.append(len(text))
            if not text.strip():
                profile.empty_texts += 1
                if len(profile.first_empty_rows) < examples:
                    profile.first_empty_rows.append(chunk.start + offset + 1)
            if len(text) > LONG_TEXT_CHARS:
                profile.long_texts += 1
            if not table.ids_are_row_numbers:
                key = hashlib.blake2b(repr(row_id).encode(), digest_size=8).digest()
                if key in seen_ids:
                    profile.duplicate_ids += 1
                    if len(profile.first_duplicate_ids) < examples:
                        profile.first_duplicate_ids.append(str(row_id))
                else:
                    seen_ids.add(key)
        profile.rows += len(chunk)
        if on_chunk is not None:
            on_chunk(len(chunk))
    profile.text_chars = _length_summary(lengths)
    return profile


def _length_summary(lengths: array[int]) -> dict[str, float]:
    if not lengths:
        return {}
    ordered = sorted(lengths)

    def quantile(q: float) -> float:
        return float(ordered[min(len(ordered) - 1, int(q * len(ordered)))])

    return {
        "min": float(ordered[0]),
        "median": quantile(0.5),
        "p95": quantile(0.95),
        "max": float(ordered[-1]),
        "mean": round(sum(ordered) / len(ordered), 1),
    }
