"""`steplens tag`: classify each comment (or clause) of a feedback file to journey steps."""

from __future__ import annotations

from pathlib import Path

import click

from steplens.cli.options import journey_option, model_option, table_options, threshold_option
from steplens.cli.output import is_quiet, row_progress
from steplens.pipeline.minilm import PRECISION_CHOICES
from steplens.pipeline.tables import DEFAULT_CHUNK_SIZE


@click.command("tag")
@table_options
@journey_option
@model_option
@click.option(
    "--adapt",
    is_flag=True,
    help="Adapt the zero-shot steps to INPUT first: fit a step model on the comments the "
    "journey is surest of (self-training), save it to OUTPUT.adapted/ and tag with it.",
)
@click.option(
    "--granularity",
    type=click.Choice(["comment", "segment"]),
    default="comment",
    show_default=True,
    help="One record per comment, or one per clause (segment).",
)
@threshold_option
@click.option(
    "--chunk-size",
    type=click.IntRange(1),
    default=DEFAULT_CHUNK_SIZE,
    show_default=True,
    help="Comments read, tagged and written at a time.",
)
@click.option(
    "--no-signals",
    is_flag=True,
    help="Steps only: skip sentiment and effort (faster; their fields are left out).",
)
@click.option(
    "--precision",
    type=click.Choice(PRECISION_CHOICES),
    default="auto",
    show_default=True,
    help="Arithmetic of the encoder: auto is bf16 on CPUs with native bf16 (AVX512-BF16/AMX; "
    "about 1.6x faster end to end, see docs/speed.md), else fp32.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: this process, streaming and resumable. ray: Ray Data (pip install -e .[ray]); "
    "OUTPUT is then a folder of part files.",
)
@click.option(
    "--ray-address",
    default=None,
    metavar="ADDR",
    help="With --engine ray: a running cluster (ray://host:10001 or auto) [default: local].",
)
@click.option(
    "--ray-actors",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="With --engine ray: tagger actors (each loads the models once).",
)
@click.option(
    "--redact",
    is_flag=True,
    help="Replace PII (emails, phones, cards, IBANs, secret URLs, addresses, names) in the text "
    "with [EMAIL], [PHONE], ... in the output, which holds only the redacted text (the models "
    "read the text as written, so the tags are the same with or without it).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue an interrupted run (Ctrl-C, kill, crash) after its last durable chunk.",
)
@click.option(
    "--out",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file: .csv, .tsv, .jsonl or .parquet (by extension).",
)
def tag_command(
    input_path: Path,
    text_column: str,
    id_column: str | None,
    encoding: str,
    sheet: str | None,
    journey: str,
    model_dir: Path | None,
    adapt: bool,
    granularity: str,
    threshold: float | None,
    chunk_size: int,
    no_signals: bool,
    precision: str,
    engine: str,
    ray_address: str | None,
    ray_actors: int,
    redact: bool,
    resume: bool,
    output_path: Path,
) -> None:
    """Tag each comment of INPUT with the journey steps it mentions.

    Splits comments into clauses, classifies each clause to a step (or `unassigned`) and
    scores each clause for sentiment and effort, and writes the input's columns plus `step`,
    `step_confidence`, `steps`, `sentiment(_score)` and `effort(_score)` (one record per
    comment), or one record per clause with `--granularity segment`. Without `--model`,
    steps are recognised zero-shot from the journey's names, descriptions and examples.
    """
    from steplens.pipeline.journey import load_journey
    from steplens.pipeline.tables import open_table
    from steplens.pipeline.tables.formats import output_format_for_path
    from steplens.pipeline.tagger import build_tagger, tag_file

    output_format_for_path(output_path)  # fail on a bad output name before loading models
    if adapt and model_dir is not None:
        raise click.UsageError("--adapt adapts the zero-shot steps; drop --model to use it")
    if engine == "ray" and resume:
        raise click.UsageError("--resume is for the local engine; Ray retries failed tasks")
    if engine == "ray":
        from steplens.pipeline.ray_engine import check_ray_input

        check_ray_input(input_path)  # before --adapt trains anything
    loaded = load_journey(journey)
    redactor = None
    if redact and engine != "ray":  # the Ray engine redacts in its own workers
        from steplens.pipeline.redact import build_redactor

        redactor = build_redactor(journeys=[loaded])
    if adapt:
        from steplens.pipeline.steps.adapt import adapt_file

        model_dir = adapt_file(
            loaded,
            input_path,
            output_path,
            text_column=text_column,
            id_column=id_column,
            encoding=encoding,
            sheet=sheet,
            resume=resume,
            on_progress=None if is_quiet() else lambda line: click.echo(line, err=True),
        )
    if engine == "ray":
        from steplens.pipeline.ray_engine import tag_with_ray

        run = tag_with_ray(
            loaded,
            input_path,
            output_path,
            model_dir=model_dir,
            threshold=threshold,
            signals=not no_signals,
            precision=precision,
            granularity=granularity,
            text_column=text_column,
            id_column=id_column,
            encoding=encoding,
            batch_size=min(chunk_size, 1024),
            actors=ray_actors,
            address=ray_address,
            redact=redact,
        )
        if not is_quiet():
            click.echo(
                f"tagged {run.rows} comments with Ray; wrote {run.files} part files to "
                f"{run.output}",
                err=True,
            )
        return
    total = open_table(
        input_path, text_column=text_column, id_column=id_column, sheet=sheet
    ).row_count_hint()
    tagger = build_tagger(
        loaded,
        model_dir=model_dir,
        threshold=threshold,
        signals=not no_signals,
        precision=precision,
    )
    if not is_quiet():
        click.echo(tagger.cutoffs_line(threshold_overridden=threshold is not None), err=True)
    try:
        with row_progress(f"tagging {input_path.name}", total, quiet=is_quiet()) as advance:
            summary = tag_file(
                tagger,
                input_path,
                output_path,
                granularity=granularity,  # type: ignore[arg-type]
                text_column=text_column,
                id_column=id_column,
                encoding=encoding,
                sheet=sheet,
                chunk_size=chunk_size,
                on_rows=advance,
                resume=resume,
                redactor=redactor,
            )
    except KeyboardInterrupt:
        raise click.ClickException(
            "interrupted: the chunks tagged so far are saved; run the same command with "
            "--resume to continue"
        ) from None
    if not is_quiet():
        if summary.resumed_after:
            click.echo(f"resumed after row {summary.resumed_after}", err=True)
        click.echo(
            f"tagged {summary.comments} comments ({summary.unassigned} unassigned) with journey "
            f"{loaded.name!r}; wrote {summary.records} records to {summary.output}",
            err=True,
        )
        if summary.not_english:
            languages = ", ".join(f"{code} {n}" for code, n in sorted(summary.not_english.items()))
            click.echo(
                f"{sum(summary.not_english.values())} comments not in English left unassigned and "
                f"unscored ({languages}): the models read English only",
                err=True,
            )
        if redactor is not None:
            found = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.redacted.items()))
            click.echo(f"redacted: {found or 'no PII found'}", err=True)
