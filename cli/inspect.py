"""`steplens inspect`: profile a feedback file before tagging it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from steplens.cli.options import json_flag, table_options
from steplens.cli.output import console, is_quiet, row_progress


@click.command("inspect")
@table_options
@json_flag
def inspect_command(
    input_path: Path,
    text_column: str,
    id_column: str | None,
    encoding: str,
    sheet: str | None,
    as_json: bool,
) -> None:
    """Read a feedback file once and report rows, columns, ids, empty and long texts.

    Streams the file in chunks, so it works on files of millions of rows. Use it to check
    the text and id columns before a long `steplens tag` run.
    """
    from steplens.pipeline.tables import open_table
    from steplens.pipeline.tables.profile import LONG_TEXT_CHARS, profile_table

    table = open_table(
        input_path, text_column=text_column, id_column=id_column, encoding=encoding, sheet=sheet
    )
    with row_progress(
        f"reading {input_path.name}", table.row_count_hint(), quiet=as_json or is_quiet()
    ) as advance:
        profile = profile_table(table, on_chunk=advance)
    if as_json:
        click.echo(json.dumps(profile.to_dict(), indent=2, ensure_ascii=False))
        return
    out = console()
    out.print(f"[bold]{profile.path}[/bold] ({profile.format})")
    out.print(f"  rows:         {profile.rows}")
    out.print(f"  columns:      {', '.join(profile.columns)}")
    out.print(f"  text column:  {profile.text_column}")
    if profile.delimiter is not None:
        out.print(f"  delimiter:    {profile.delimiter!r}")
    if table.sheet is not None:
        out.print(f"  sheet:        {table.sheet}", highlight=False)
    if profile.export_layout is not None:
        done = "merged" if profile.export_layout == "SurveyMonkey" else "skipped"
        out.print(
            f"  export:       {profile.export_layout} (its extra header rows {done}, not rows)",
            highlight=False,
        )
    if profile.ids_are_row_numbers:
        out.print("  ids:          0-based row numbers (the file has no 'id' column)")
    else:
        out.print(f"  id column:    {profile.id_column}")
        dupes = profile.duplicate_ids
        detail = f" (e.g. {', '.join(profile.first_duplicate_ids)})" if dupes else ""
        out.print(f"  duplicate ids: {dupes}{detail}", markup=False)
    empty_detail = (
        f" (data rows {', '.join(map(str, profile.first_empty_rows))}; kept, tagged 'unassigned')"
        if profile.empty_texts
        else ""
    )
    out.print(f"  empty texts:  {profile.empty_texts}{empty_detail}", markup=False)
    if profile.text_chars:
        chars = profile.text_chars
        out.print(
            f"  text length:  median {chars['median']:.0f} chars, p95 {chars['p95']:.0f}, "
            f"max {chars['max']:.0f}; {profile.long_texts} over {LONG_TEXT_CHARS} chars"
        )
