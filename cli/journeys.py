"""`steplens journeys`: list, show, validate, check and draft journey definitions."""

from __future__ import annotations

import json
from pathlib import Path

import click

from steplens.cli.options import encoding_option, json_flag, sheet_option, text_column_option
from steplens.cli.output import console


@click.group("journeys")
def journeys() -> None:
    """List, show, validate, check and draft journey definitions (the steps comments are tagged
    with)."""


@journeys.command("list")
@json_flag
def list_command(as_json: bool) -> None:
    """List the bundled journeys with their number of steps."""
    from steplens.pipeline.journey import list_journeys

    infos = list_journeys()
    if as_json:
        rows = [
            {"name": i.name, "steps": i.steps, "description": i.description, "path": str(i.path)}
            for i in infos
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.table import Table

    table = Table("name", "steps", "description", box=None, header_style="bold")
    for info in infos:
        table.add_row(info.name, str(info.steps), info.description)
    console().print(table)


@journeys.command("show")
@click.argument("journey", metavar="NAME|PATH")
@json_flag
@click.option("--examples/--no-examples", default=False, help="Also print each step's examples.")
def show_command(journey: str, as_json: bool, examples: bool) -> None:
    """Show a journey's steps in order: id, name, stage and description."""
    from steplens.pipeline.journey import load_journey

    loaded = load_journey(journey)
    if as_json:
        click.echo(json.dumps(loaded.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    out = console()
    out.print(f"[bold]{loaded.name}[/bold]: {loaded.description}")
    table = Table(header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("id", no_wrap=True)
    table.add_column("name", max_width=26)
    table.add_column("stage", no_wrap=True)
    table.add_column("examples", justify="right")
    table.add_column("description", ratio=1)
    for position, step in enumerate(loaded.steps, start=1):
        table.add_row(
            str(position),
            step.id,
            step.name,
            step.stage or "",
            str(len(step.examples)),
            step.description,
        )
    out.print(table)
    if examples:
        for step in loaded.steps:
            out.print(f"\n[bold]{step.id}[/bold]")
            for example in step.examples:
                out.print(f"  - {example}", markup=False, highlight=False)


@journeys.command("validate")
@click.argument("paths", metavar="PATH|NAME...", nargs=-1, required=True)
def validate_command(paths: tuple[str, ...]) -> None:
    """Check journey files; print every problem found, and exit 1 if any file is invalid."""
    from steplens.pipeline.errors import JourneyError
    from steplens.pipeline.journey import load_journey

    failures = 0
    for path in paths:
        try:
            journey = load_journey(path)
        except JourneyError as exc:
            failures += 1
            click.echo(f"invalid: {exc}", err=True)
            continue
        label = path if Path(path).suffix else f"{path} (bundled)"
        click.echo(f"valid: {label}: journey {journey.name!r} with {len(journey.steps)} steps")
        for note in journey.advice():
            click.echo(f"  advice: {note}")
    if failures:
        raise click.exceptions.Exit(1)


@journeys.command("draft")
@click.argument(
    "input_path", metavar="FEEDBACK", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Journey YAML file to write (it must not exist yet).",
)
@click.option(
    "--journey",
    "-j",
    "existing",
    default=None,
    metavar="NAME|PATH",
    help="Draft only from the clauses this journey leaves unassigned: steps to add to it.",
)
@click.option("--name", default=None, help="The drafted journey's name [default: the file's].")
@click.option(
    "--min-cluster-size",
    type=click.IntRange(min=2),
    default=None,
    help="Fewest clauses a step is drafted from [default: 1% of the clauses, at least 8].",
)
@click.option(
    "--signals/--no-signals", default=True, help="Read each step's sentiment (a little slower)."
)
@text_column_option
@encoding_option
@sheet_option
def draft_command(
    input_path: Path,
    out_path: Path,
    existing: str | None,
    name: str | None,
    min_cluster_size: int | None,
    signals: bool,
    text_column: str,
    encoding: str,
    sheet: str | None,
) -> None:
    """Draft a journey from FEEDBACK: clauses clustered into themes, each a step with key phrases
    and examples in customers' words (a start for a person to edit)."""
    import re

    from steplens.cli.output import progress_note
    from steplens.pipeline.errors import SteplensError
    from steplens.pipeline.journey import JOURNEY_NAME_PATTERN, load_journey
    from steplens.pipeline.journey_draft import draft_journey
    from steplens.pipeline.minilm import base_encoder
    from steplens.pipeline.segment import load_segmenter
    from steplens.pipeline.tables import open_table

    if out_path.exists():
        raise SteplensError(f"{out_path} exists; choose another --out (nothing was overwritten)")
    if not out_path.parent.is_dir():
        raise SteplensError(f"--out: folder {out_path.parent} does not exist")
    if name is not None and not JOURNEY_NAME_PATTERN.match(name):
        raise SteplensError(
            f"--name {name!r} may only use letters, digits, '-' and '_' (it is used in URLs)"
        )
    table = open_table(
        input_path, text_column=text_column, encoding=encoding, ids_needed=False, sheet=sheet
    )
    texts = [text for chunk in table.chunks() for text in chunk.texts]
    tagger = None
    if existing is not None:
        from steplens.pipeline.tagger import build_tagger

        tagger = build_tagger(load_journey(existing), signals=False)
    signals_model = None
    if signals:
        from steplens.pipeline.signals import load_default_signals_model

        signals_model = load_default_signals_model()
    default_name = re.sub(r"[^a-z0-9]+", "_", input_path.stem.lower()).strip("_") or "drafted"
    draft = draft_journey(
        texts,
        name=name or default_name,
        encoder=base_encoder("fp32"),
        segmenter=load_segmenter(),
        signals=signals_model,
        existing=tagger,
        min_cluster_size=min_cluster_size,
        on_stage=progress_note,
    )
    draft.journey()  # the draft validates as any journey file does
    out_path.write_text(draft.to_yaml(), encoding="utf-8")
    click.echo(
        f"wrote {out_path}: {len(draft.steps)} drafted steps from {draft.clauses} clauses of "
        f"{draft.comments} comments ({draft.noise} clauses fit no theme). Edit it, then "
        f"`steplens journeys validate {out_path}`."
    )


@journeys.command("check")
@click.argument("journey", metavar="NAME|PATH")
@click.argument(
    "feedback",
    metavar="[FEEDBACK]",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@text_column_option
@encoding_option
@sheet_option
@json_flag
def check_command(
    journey: str,
    feedback: Path | None,
    text_column: str,
    encoding: str,
    sheet: str | None,
    as_json: bool,
) -> None:
    """Which steps the encoder cannot tell apart (and the phrases that cause it), which have too
    few examples, and, with FEEDBACK, each step's share of its clauses."""
    from steplens.pipeline.journey import load_journey
    from steplens.pipeline.journey_check import FEW_EXAMPLES, check_journey
    from steplens.pipeline.minilm import base_encoder

    loaded = load_journey(journey)
    tagger, texts = None, []
    if feedback is not None:
        from steplens.pipeline.tables import open_table
        from steplens.pipeline.tagger import build_tagger

        table = open_table(
            feedback, text_column=text_column, encoding=encoding, ids_needed=False, sheet=sheet
        )
        texts = [text for chunk in table.chunks() for text in chunk.texts]
        tagger = build_tagger(loaded, signals=False)
    check = check_journey(loaded, base_encoder("fp32"), tagger=tagger, texts=texts)
    if as_json:
        click.echo(json.dumps(check.as_dict(), indent=2, ensure_ascii=False))
        return
    out = console()
    out.print(f"[bold]{loaded.name}[/bold]: {len(loaded.steps)} steps")
    if check.confusable:
        out.print("\n[bold]steps the classifier mixes up[/bold]")
        for pair in check.confusable:
            out.print(
                f"  {pair.first} ~ {pair.second} (similarity {pair.similarity:.2f})",
                highlight=False,
            )
            for phrase, step, read in pair.phrases[:5]:
                out.print(f"    {phrase!r} ({step}) reads as {read}", markup=False)
    else:
        out.print("\nno two steps are confusable")
    paired = {phrase for pair in check.confusable for phrase in pair.phrases}
    alone = [m for m in check.misread if m not in paired]
    if alone:
        out.print("\n[bold]example phrases that read as another step[/bold]")
        for phrase, step, read in alone:
            out.print(f"  {phrase!r} ({step}) reads as {read}", markup=False)
    if check.thin:
        out.print(f"\n[bold]steps with fewer than {FEW_EXAMPLES} examples[/bold]")
        for step, count in check.thin:
            out.print(f"  {step}: {count}", highlight=False)
    if check.coverage:
        out.print(f"\n[bold]clauses per step[/bold] ({check.clauses} clauses)")
        for step, share in sorted(check.coverage.items(), key=lambda kv: -kv[1]):
            out.print(f"  {step}: {share:.1%}", highlight=False)
