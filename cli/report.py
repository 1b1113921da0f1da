"""`steplens report`: the per-step report (HTML, CSV, JSON) from a tagged file and step metrics."""

from __future__ import annotations

from pathlib import Path

import click

from steplens.cli.options import (
    encoding_option,
    journey_option,
    text_column_option,
)
from steplens.cli.output import is_quiet


@click.command("report")
@click.argument(
    "tagged_path",
    metavar="TAGGED",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@journey_option
@click.option(
    "--metrics",
    "metrics_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Step metrics (CSV or Parquet): step, period, entered, completed, ... "
    "(see docs/metrics.md).",
)
@click.option(
    "--period-column",
    default=None,
    help="Date column of the comments; they are bucketed into the metrics' period size "
    "(ISO weeks without metrics) for trends, changes and alerts.",
)
@click.option(
    "--group-by",
    default=None,
    help="Column to break the report down by (e.g. channel); joined to the metrics' column "
    "of the same name when they have one.",
)
@click.option(
    "--score-column",
    default=None,
    help="Survey score that came with each comment (NPS, CSAT, CES): per-step NPS or mean, "
    "with its impact on the overall score.",
)
@click.option(
    "--score-type",
    type=click.Choice(["auto", "nps", "mean"]),
    default="auto",
    show_default=True,
    help="How to read --score-column: nps (% promoters 9-10 minus % detractors 0-6) or mean "
    "(CSAT, CES); auto reads NPS when the column's name says so and scores are 0-10.",
)
@text_column_option
@click.option(
    "--id-column",
    default=None,
    help="Column that identifies each comment [default: the one `tag` was told, from its run "
    "metadata; else 'id' if present, else row numbers].",
)
@encoding_option
@click.option(
    "--no-key-phrases",
    is_flag=True,
    help="Skip key phrases (they parse every comment with spaCy; the slowest part on big files).",
)
@click.option(
    "--score-map",
    "score_map_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="YAML or JSON file mapping text answers of --score-column to numbers "
    "('Very satisfied: 5'); numbers and labels that start with one are read without it.",
)
@click.option(
    "--date-format",
    default=None,
    metavar="FORMAT",
    help="How --period-column's dates are written, as strptime codes ('%d/%m/%Y %H:%M') "
    "[default: read from the data: ISO, day- or month-first, Excel serials, Unix times].",
)
@click.option(
    "--themes/--no-themes",
    default=True,
    show_default=True,
    help="Cluster what no step covers into themes, and each step's clauses into sub-themes "
    "(embeds the clauses once more).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for report.html, steps.csv and steps.json (created if missing).",
)
def report_command(
    tagged_path: Path,
    journey: str,
    metrics_path: Path | None,
    period_column: str | None,
    group_by: str | None,
    score_column: str | None,
    score_type: str,
    text_column: str,
    id_column: str | None,
    encoding: str,
    no_key_phrases: bool,
    score_map_path: Path | None,
    date_format: str | None,
    themes: bool,
    out_dir: Path,
) -> None:
    """Rank the journey's steps by where customers struggle, from a file `steplens tag` wrote.

    Merges each step's text signals (mentions, sentiment, effort) with its step metrics
    (drop-off, time on step, support contacts), ranks the steps by priority, tests each
    period-over-period change and writes DIR/report.html (self-contained, opens offline),
    DIR/steps.csv and DIR/steps.json.
    """
    from steplens.pipeline.journey import load_journey
    from steplens.pipeline.report.build import build_report, load_tagged
    from steplens.pipeline.report.metrics import load_metrics
    from steplens.pipeline.report.outputs import write_report
    from steplens.pipeline.report.score_impact import load_score_map

    loaded = load_journey(journey)
    metrics = None
    if metrics_path is not None:
        metrics = load_metrics(metrics_path, loaded, encoding=encoding)
        if group_by is not None and group_by in metrics.extra_columns:
            # A numeric column (a store number) is a group when the report is grouped by it.
            metrics = load_metrics(
                metrics_path, loaded, group_columns=[group_by], encoding=encoding
            )
    text_column, id_column = _columns(tagged_path, text_column, id_column, encoding)
    records = load_tagged(
        tagged_path, text_column=text_column, id_column=id_column, encoding=encoding
    )
    encoder = None
    if themes:
        from steplens.pipeline.report.themes import themes_encoder

        encoder = themes_encoder()
    report = build_report(
        records,
        loaded,
        metrics=metrics,
        period_column=period_column,
        group_by=group_by,
        score_column=score_column,
        score_type=score_type,  # type: ignore[arg-type]
        key_phrases=not no_key_phrases,
        themes_encoder=encoder,
        date_format=date_format,
        score_map=load_score_map(score_map_path) if score_map_path is not None else None,
    )
    files = write_report(report, out_dir)
    if is_quiet():
        return
    top = min(report.priorities, key=lambda p: p.priority_rank)
    click.echo(
        f"{report.comments} comments; step ranked first: {loaded.step(top.step).name} "
        f"(priority {top.priority_score:.0f}); {len(report.alerts)} alert(s)",
        err=True,
    )
    if report.date_reading:
        click.echo(f"dates: {report.date_reading}", err=True)
    if report.not_english:
        languages = ", ".join(f"{code} {n}" for code, n in report.not_english.items())
        click.echo(
            f"{sum(report.not_english.values())} comments not in English were not scored "
            f"({languages})",
            err=True,
        )
    if report.score is not None:
        click.echo(f"score: {report.score.describe()}", err=True)
    for alert in report.alerts:
        click.echo(f"  alert: {alert.describe()}", err=True)
    click.echo(f"wrote {files.html}, {files.csv.name} and {files.json.name}", err=True)


def _columns(
    tagged_path: Path, text: str, id_: str | None, encoding: str
) -> tuple[str, str | None]:
    """The text and id columns: as given, else the ones `tag` was told (its run metadata), else
    the defaults, so columns named once for `tag` need not be named again."""
    from click.core import ParameterSource

    from steplens.pipeline.run_metadata import read_metadata

    context = click.get_current_context()
    metadata = read_metadata(tagged_path) or {}
    told = []
    if context.get_parameter_source("text_column") is ParameterSource.DEFAULT:
        named = metadata.get("text_column")
        if isinstance(named, str) and named and named != text:
            text = named
            told.append(f"text column {named!r}")
    named = metadata.get("id_column")
    if id_ is None and isinstance(named, str) and named:
        columns = _header(tagged_path, encoding)
        if columns is None or named in columns:  # an unreadable file is reported by load_tagged
            id_ = named
            told.append(f"id column {named!r}")
        elif not is_quiet():
            click.echo(
                f"warning: the run metadata names id column {named!r}, which {tagged_path.name} "
                "no longer has; give --id-column",
                err=True,
            )
    if told and not is_quiet():
        click.echo(f"{' and '.join(told)}, as `tag` was told (its run metadata)", err=True)
    return text, id_


def _header(tagged_path: Path, encoding: str) -> list[str] | None:
    """The tagged file's column names, None when they cannot be read (load_tagged then
    reports the file's problem with its context)."""
    from steplens.pipeline.errors import SteplensError
    from steplens.pipeline.tables import table_columns

    try:
        return table_columns(tagged_path, encoding=encoding)
    except SteplensError:
        return None
