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
"""SurveyMonkey's columns about the respondent: blank in its second header row. Respondent ID is
always exported, and recognising an export depends on it."""
QUALTRICS_HEADER_ROWS = 2
_IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"')


def is_surveymonkey_subheader(header: Sequence[str], second: Sequence[Any]) -> bool:
    """Whether ``second``, the row after ``header``, is SurveyMonkey's second header row.

    The header must have a Respondent ID column, blank in ``second`` like every respondent
    column (an answer row always has a Respondent ID, so a comment that says "Response" stays a
    row), and ``second`` must say what the columns hold: ``Response`` or ``Open-Ended Response``
    somewhere, or option texts under the blank header cells of a question with several columns
    (a survey of only checkbox or matrix questions).
    """
    names = [name.strip() for name in header]
    if "Respondent ID" not in names:
        return False
    cells = [_cell(value) for value in second]
    respondent = [
        cells[i] if i < len(cells) else ""
        for i, name in enumerate(names)
        if name in RESPONDENT_COLUMNS
    ]
    if any(respondent):
        return False
    if any(cell.casefold() in ANSWER_CELLS for cell in cells):
        return True
    return any(not names[i] and cells[i] for i in range(1, min(len(names), len(cells))))


def merge_surveymonkey_header(header: Sequence[str], second: Sequence[Any]) -> list[str]:
    """One name per column from SurveyMonkey's two header rows (see the module docstring); a
    name that would repeat gets `` (2)``, `` (3)``, ...; a column blank in both rows stays
    unnamed (a stray empty column, which the reader drops at the end or refuses)."""
    names: list[str] = []
    question = ""
    width = max(len(header), len(second))
    for position in range(width):
        top = header[position].strip() if position < len(header) else ""
        below = _cell(second[position]) if position < len(second) else ""
        if top:
            question = top
        if not top and not below:
            names.append("")
        elif not question:
            names.append(below)
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
    unique: list[str] = []
    for name in names:
        if not name:
            unique.append(name)
            continue
        count = seen.get(name, 0) + 1
        seen[name] = count
        unique.append(name if count == 1 else f"{name} ({count})")
    return unique
