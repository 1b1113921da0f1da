"""Chunked reading and writing of feedback tables (CSV/TSV, JSON Lines, Parquet, Excel).

``open_table`` streams rows in chunks with their texts and ids; ``TableWriter`` writes records
chunk by chunk and moves the file into place only when complete. pyarrow is imported only when a
Parquet file is read or written.
"""

from __future__ import annotations

from steplens.pipeline.tables.formats import TableFormat, format_for_path, supported_suffixes
from steplens.pipeline.tables.readers import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_ID_COLUMN,
    DEFAULT_TEXT_COLUMN,
    Chunk,
    Row,
    Table,
    as_text,
    open_table,
    table_columns,
)
from steplens.pipeline.tables.writers import TableWriter

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_ID_COLUMN",
    "DEFAULT_TEXT_COLUMN",
    "Chunk",
    "Row",
    "Table",
    "TableFormat",
    "TableWriter",
    "as_text",
    "format_for_path",
    "open_table",
    "supported_suffixes",
    "table_columns",
]
