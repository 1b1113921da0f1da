"""The calls a notebook needs, each a thin layer over the pipeline (see docs/python.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from steplens.pipeline.errors import MissingDependencyError, SteplensError

if TYPE_CHECKING:
    import pandas as pd

    from steplens.pipeline.evaluation import Evaluation
    from steplens.pipeline.journey import Journey
    from steplens.pipeline.records import FeedbackRecord
    from steplens.pipeline.report.build import StepReport
    from steplens.pipeline.report.outputs import ReportFiles
    from steplens.pipeline.tagger import Granularity, Tagger

CHUNK = 1000
"""Rows tagged at a time (as ``steplens tag --chunk-size``)."""


def _journey(journey: str | Path | Journey) -> Journey:
    from steplens.pipeline.journey import Journey, load_journey

    return journey if isinstance(journey, Journey) else load_journey(journey)


def load_tagger(
    journey: str | Path | Journey,
    *,
    model: str | Path | None = None,
    signals: bool = True,
    threshold: float | None = None,
    precision: str = "auto",
) -> Tagger:
    """A tagger for a bundled journey's name, a journey file or a loaded journey; ``model`` is a
    directory from ``steplens train-steps`` (zero-shot from the journey without one). Load it
    once and reuse it: building loads the models (a few seconds)."""
    from steplens.pipeline.tagger import build_tagger

    return build_tagger(
        _journey(journey),
        model_dir=model,
        threshold=threshold,
        signals=signals,
        precision=precision,
    )


def tag_texts(tagger: Tagger, texts: Sequence[str]) -> list[FeedbackRecord]:
    """Typed records, one per text, in order, ids their positions (:class:`FeedbackRecord`:
    step, steps with their signals and spans, signals, clauses, language): what ``tag`` writes,
    before it is written."""
    from steplens.pipeline.tagger import chunk_records, texts_chunk

    records: list[FeedbackRecord] = []
    for start in range(0, len(texts), CHUNK):
        block = list(texts[start : start + CHUNK])
        records += chunk_records(texts_chunk(block, start), tagger.tag(block))
    return records


def tag_dataframe(
    tagger: Tagger,
    frame: pd.DataFrame,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    granularity: Granularity = "comment",
    redact: bool = False,
) -> pd.DataFrame:
    """The rows of ``frame`` with the columns ``steplens tag`` writes, as a new DataFrame.

    ``steps`` holds each comment's step mentions as a list of dicts; at ``granularity="segment"``
    the result has one row per clause. ``redact=True`` replaces PII in the text column, as
    ``tag --redact`` does (the tags are the same either way).
    """
    pandas = _pandas()
    from steplens.pipeline.tables import Chunk, as_text
    from steplens.pipeline.tagger import as_rows, tag_chunk

    if text_column not in frame.columns:
        raise SteplensError(
            f"the DataFrame has no text column {text_column!r}; its columns are: "
            + ", ".join(repr(str(c)) for c in frame.columns)
        )
    if id_column is not None and id_column not in frame.columns:
        raise SteplensError(f"the DataFrame has no id column {id_column!r}")
    redactor = None
    if redact:
        from steplens.pipeline.redact import build_redactor

        redactor = build_redactor(journeys=[tagger.journey])
    rows = frame.to_dict("records")
    rows_out: list[dict[str, Any]] = []
    for start in range(0, len(rows), CHUNK):
        block = rows[start : start + CHUNK]
        ids = (
            [row[id_column] for row in block]
            if id_column
            else list(frame.index[start : start + len(block)])
        )
        chunk = Chunk(
            start=start,
            rows=block,
            texts=[as_text(row.get(text_column)) for row in block],
            ids=ids,
        )
        records, _ = tag_chunk(tagger, chunk, redactor=redactor, text_column=text_column)
        rows_out += as_rows(records, granularity)
    return pandas.DataFrame.from_records(rows_out)


def report_from_records(
    records: Sequence[FeedbackRecord],
    journey: str | Path | Journey,
    *,
    metrics: str | Path | None = None,
    period_column: str | None = None,
    group_by: str | None = None,
    score_column: str | None = None,
    score_type: str = "auto",
    key_phrases: bool = True,
    themes: bool = False,
    date_format: str | None = None,
    score_map: Mapping[str, float | None] | None = None,
) -> StepReport:
    """The per-step report of typed records (:func:`tag_texts`'s, or read back with
    :meth:`FeedbackRecord.from_row`), as ``steplens report`` builds it; ``metrics`` is a step
    metrics file. Period, group and score columns are read from each record's columns;
    ``themes=True`` also clusters what no step covers and each step's clauses (an encoder pass,
    as ``steplens report`` does by default)."""
    from steplens.pipeline.report.build import build_report
    from steplens.pipeline.report.metrics import load_metrics
    from steplens.pipeline.report.score_impact import SCORE_TYPES
    from steplens.pipeline.report.themes import themes_encoder

    if score_type not in SCORE_TYPES:
        raise SteplensError(f"score_type must be one of {', '.join(SCORE_TYPES)}: {score_type!r}")
    loaded = _journey(journey)
    return build_report(
        records,
        loaded,
        metrics=load_metrics(metrics, loaded) if metrics is not None else None,
        period_column=period_column,
        group_by=group_by,
        score_column=score_column,
        score_type=score_type,
        key_phrases=key_phrases,
        themes_encoder=themes_encoder() if themes else None,
        date_format=date_format,
        score_map=score_map,
    )


def report_from_dataframe(
    frame: pd.DataFrame,
    journey: str | Path | Journey,
    *,
    metrics: str | Path | None = None,
    period_column: str | None = None,
    group_by: str | None = None,
    score_column: str | None = None,
    score_type: str = "auto",
    text_column: str = "text",
    id_column: str | None = None,
    key_phrases: bool = True,
    themes: bool = False,
    date_format: str | None = None,
    score_map: Mapping[str, float | None] | None = None,
) -> StepReport:
    """The per-step report of a DataFrame :func:`tag_dataframe` returned (or a tagged file read
    with pandas), as ``steplens report`` builds it; ``metrics`` is a step metrics file;
    ``id_column`` names the ids the report quotes (``id``, else the row position)."""
    from steplens.pipeline.records import records_from_rows

    if id_column is not None and id_column not in frame.columns:
        raise SteplensError(
            f"no id column {id_column!r} in the DataFrame; its columns are: "
            f"{', '.join(map(repr, frame.columns))}"
        )
    return report_from_records(
        records_from_rows(frame.to_dict("records"), "DataFrame row", text_column, id_column),
        journey,
        metrics=metrics,
        period_column=period_column,
        group_by=group_by,
        score_column=score_column,
        score_type=score_type,
        key_phrases=key_phrases,
        themes=themes,
        date_format=date_format,
        score_map=score_map,
    )


def write_report(report: StepReport, folder: str | Path) -> ReportFiles:
    """report.html, steps.csv and steps.json in ``folder`` (created if missing)."""
    from steplens.pipeline.report.outputs import write_report as write

    return write(report, Path(folder))


def evaluate_file(
    tagger: Tagger,
    path: str | Path,
    *,
    text_column: str = "text",
    label_column: str = "step",
    labels: str | Path | None = None,
    id_column: str | None = None,
) -> Evaluation:
    """``steplens evaluate`` on a labelled file: per-step precision, recall and F1, confusions,
    the best cut-off (``Evaluation.to_dict()`` for all of it)."""
    from steplens.pipeline.evaluation import evaluate, read_labelled

    sample = read_labelled(
        path,
        tagger.journey,
        text_column=text_column,
        label_column=label_column,
        labels_path=labels,
        id_column=id_column,
    )
    return evaluate(tagger, sample)


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise MissingDependencyError(
            "DataFrames need pandas: pip install pandas (or pip install 'steplens[notebook]')"
        ) from None
    return pandas
