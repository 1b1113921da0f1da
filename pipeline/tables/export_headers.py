"""Header rows as survey tools export them, recognised so they are not read as comments.

- **SurveyMonkey** writes two header rows. The first holds the question texts, blank over the
  second and later columns of a question with several (a choice's options, an "Other (please
  specify)" box); the second says what each column holds: ``Response``, ``Open-Ended Response``,
  an option's text, or nothing under Respondent ID, Start Date and the other columns about the
  respondent. The two merge into one name per column: the question where the column is its
  answer, ``question - option`` where it is one of several.
- **Qualtrics** writes three: short column names (the header), the question texts, then
  ``{"ImportId": ...}`` per column. The two extra rows are skipped.

Either way the rows after them are the answers, and nothing else changes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

ANSWER_CELLS = frozenset({"response", "open-ended response"})
"""What SurveyMonkey's second header row says over a column that is a question's answer."""
RESPONDENT_COLUMNS = ("Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address")
"""SurveyMonkey's columns about the respondent: blank in its second header row."""
QUALTRICS_HEADER_ROWS = 2
_IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"')


def is_surveymonkey_subheader(header: Sequence[str], second: Sequence[Any]) -> bool:
    """Whether ``second``, the row after ``header``, is SurveyMonkey's second header row: it
    names a column ``Response`` or ``Open-Ended Response``, and the header has SurveyMonkey's
    respondent columns (Respondent ID, Start Date, ...), every one blank in it. An answer row
    always has a Respondent ID, so a comment that happens to say "Response" stays a row."""
    cells = [_cell(value) for value in second]
    if not any(cell.casefold() in ANSWER_CELLS for cell in cells):
        return False
    respondent = [
        cells[i] if i < len(cells) else ""
        for i, name in enumerate(header)
        if name.strip() in RESPONDENT_COLUMNS
    ]
    return bool(respondent) and not any(respondent)


def merge_surveymonkey_header(header: Sequence[str], second: Sequence[Any]) -> list[str]:
    """One unique name per column from SurveyMonkey's two header rows (see the module
    docstring); a name that would repeat gets `` (2)``, `` (3)``, ..."""
    names: list[str] = []
    question = ""
    width = max(len(header), len(second))
    for position in range(width):
        top = header[position].strip() if position < len(header) else ""
        below = _cell(second[position]) if position < len(second) else ""
        if top:
            question = top
        if not question:
            names.append(below or f"column {position + 1}")
        elif not below or below.casefold() in ANSWER_CELLS:
            names.append(question)
        else:
            names.append(f"{question} - {below}")
    return _unique(names)


def qualtrics_header_rows(head: Sequence[dict[str, Any]]) -> int:
    """How many of ``head``, a table's first rows, are a Qualtrics export's extra header rows:
    those up to the last one that is mostly ``{"ImportId": ...}`` cells (0 when none is)."""
    skip = 0
    for position, row in enumerate(head[:QUALTRICS_HEADER_ROWS], start=1):
        cells = [v for v in row.values() if isinstance(v, str) and v.strip()]
        if cells and sum(bool(_IMPORT_ID.match(v)) for v in cells) * 2 >= len(cells):
            skip = position
    return skip


def without_qualtrics_headers(
    rows: Iterator[dict[str, Any]], path: Path
) -> Iterator[dict[str, Any]]:
    """The rows without a Qualtrics export's two extra header rows."""
    head = [row for _, row in zip(range(QUALTRICS_HEADER_ROWS), rows, strict=False)]
    skip = qualtrics_header_rows(head)
    if skip:
        logger.info("%s: skipped %d header row(s) of a Qualtrics export", path, skip)
    yield from head[skip:]
    yield from rows


def _cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        count = seen.get(name, 0) + 1
        seen[name] = count
        unique.append(name if count == 1 else f"{name} ({count})")
    return unique
