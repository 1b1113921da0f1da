"""`steplens journeys`: list, show and validate journey definitions."""

from __future__ import annotations

import json
from pathlib import Path

import click

from steplens.cli.options import json_flag
from steplens.cli.output import console


@click.group("journeys")
def journeys() -> None:
    """List, show and validate journey definitions (the steps comments are tagged with)."""


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
