"""`steplens evaluate`: how the tagger does on a labelled sample of your own feedback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from steplens.cli.options import (
    encoding_option,
    journey_option,
    model_option,
    text_column_option,
    threshold_option,
)
from steplens.cli.output import console, is_quiet, row_progress

if TYPE_CHECKING:
    from steplens.pipeline.evaluation import Evaluation

OUTPUT_SUFFIXES = (".json", ".html")


@click.command("evaluate")
@click.argument(
    "input_path",
    metavar="LABELLED",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@journey_option
@model_option
@threshold_option
@text_column_option
@click.option(
    "--label-column",
    default="step",
    show_default=True,
    help="Column with each text's step id or name ('unassigned' for texts about no step; "
    "several as 'a;b' or on several rows).",
)
@click.option(
    "--labels",
    "labels_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Read the labels from this file (id and label columns) instead, joined to LABELLED on "
    "the id column.",
)
@click.option(
    "--id-column",
    default=None,
    help="With --labels: the id column the two files share [default: 'id'].",
)
@click.option(
    "--sentiment-column",
    default="sentiment",
    show_default=True,
    help="Column of labelled sentiment (negative, neutral, positive); compared when present.",
)
@click.option(
    "--effort-column",
    default="effort",
    show_default=True,
    help="Column of labelled effort (none, low, moderate, high); compared when present.",
)
@encoding_option
@click.option(
    "--examples",
    type=click.IntRange(0, 10),
    default=2,
    show_default=True,
    help="Example texts shown per confusion pair.",
)
@click.option(
    "--out",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the result: .json (every number) or .html (a page).",
)
def evaluate_command(
    input_path: Path,
    journey: str,
    model_dir: Path | None,
    threshold: float | None,
    text_column: str,
    label_column: str,
    labels_path: Path | None,
    id_column: str | None,
    sentiment_column: str,
    effort_column: str,
    encoding: str,
    examples: int,
    output_path: Path | None,
) -> None:
    """Measure steps (and sentiment and effort) on LABELLED, a sample of your own feedback.

    LABELLED has a text column and a step column, as `train-steps` reads. Prints per-step
    precision, recall and F1, the most frequent confusions with examples, how `unassigned`
    did, the cut-off that would have been best on this sample, and sentiment and effort
    agreement where those columns exist. Steps are decided exactly as `tag` decides them.
    """
    from steplens.pipeline.evaluation import evaluate, read_labelled
    from steplens.pipeline.journey import load_journey
    from steplens.pipeline.tables import open_table
    from steplens.pipeline.tagger import build_tagger

    if output_path is not None and output_path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise click.BadParameter(
            f"{output_path.name}: use a .json or .html file name", param_hint="--out"
        )
    context = click.get_current_context()
    if id_column is not None and labels_path is None:
        raise click.UsageError("--id-column joins a --labels file; give --labels too")
    loaded = load_journey(journey)
    columns = open_table(
        input_path, text_column=text_column, encoding=encoding, ids_needed=False
    ).columns
    chosen: dict[str, str | None] = {}
    for name, column in (("sentiment_column", sentiment_column), ("effort_column", effort_column)):
        explicit = context.get_parameter_source(name) is not ParameterSource.DEFAULT
        chosen[name] = column if explicit or column in columns else None
    sample = read_labelled(
        input_path,
        loaded,
        text_column=text_column,
        label_column=label_column,
        sentiment_column=chosen["sentiment_column"],
        effort_column=chosen["effort_column"],
        labels_path=labels_path,
        id_column=id_column,
        encoding=encoding,
    )
    signals = sample.sentiment is not None or sample.effort is not None
    tagger = build_tagger(loaded, model_dir=model_dir, threshold=threshold, signals=signals)
    quiet = is_quiet()
    if not quiet:
        click.echo(tagger.cutoffs_line(threshold_overridden=threshold is not None), err=True)
    with row_progress(f"evaluating {input_path.name}", len(sample.texts), quiet=quiet) as advance:
        result = evaluate(tagger, sample, examples=examples, on_rows=advance)
    if output_path is not None:
        _write(result, output_path)
    if not quiet:
        print_evaluation(result)
        if output_path is not None:
            console().print(f"wrote {output_path}")


def _write(result: Evaluation, path: Path) -> None:
    if path.suffix.lower() == ".json":
        text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    else:
        from steplens.pipeline.evaluation_html import render_evaluation_html

        text = render_evaluation_html(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def print_evaluation(result: Evaluation) -> None:
    """The result as terminal tables."""
    from rich.table import Table

    out = console()
    low, high = result.accuracy_interval
    out.print(
        f"[bold]{result.texts} labelled texts[/bold], journey {result.journey!r}, "
        f"{result.classifier} steps, unassigned below {result.threshold:.2f}"
    )
    out.print(
        f"main step right: {result.accuracy:.1%} (95% interval {low:.1%}-{high:.1%}); listed "
        f"steps micro P/R/F1 {result.micro_precision:.2f} / {result.micro_recall:.2f} / "
        f"{result.micro_f1:.2f}; {result.multi_step} texts listed with two or more steps"
    )
    steps = Table(title="per step", title_justify="left")
    for header in ("step", "labelled", "listed", "precision", "recall", "F1"):
        steps.add_column(header, justify="left" if header == "step" else "right")
    for row in result.steps:
        steps.add_row(
            row.step,
            str(row.labelled),
            str(row.predicted),
            _num(row.precision),
            _num(row.recall),
            _num(row.f1),
        )
    out.print(steps)
    if result.confusions:
        confusions = Table(title="most frequent confusions", title_justify="left")
        for header in ("labelled", "main step", "texts", "for example"):
            confusions.add_column(header, justify="right" if header == "texts" else "left")
        for pair in result.confusions:
            shown = "\n".join(f"row {x.row}: {x.text}" for x in pair.examples)
            confusions.add_row(pair.gold, pair.predicted, str(pair.count), shown)
        out.print(confusions)
    best = result.best
    out.print(
        f"cut-off: {result.threshold:.2f} in use; best on this sample {best.threshold:.2f} "
        f"({best.accuracy:.1%} right, {best.unassigned} unassigned)"
    )
    for name, agreement in (("sentiment", result.sentiment), ("effort", result.effort)):
        if agreement is None:
            continue
        extra = "".join(f", {k} {v:.2f}" for k, v in agreement.measures.items() if k != "qwk_texts")
        out.print(
            f"{name}: {agreement.labelled} labelled texts, agreement {agreement.accuracy:.1%}, "
            f"macro F1 {agreement.macro_f1:.2f}, kappa {agreement.kappa:.2f}{extra}"
        )
    for why, rows in result.skipped.items():
        listed = ", ".join(map(str, rows[:5])) + (", ..." if len(rows) > 5 else "")
        out.print(f"left out {len(rows)} rows with {why} (data rows {listed})")
    for note in result.notes:
        out.print(f"note: {note}")
