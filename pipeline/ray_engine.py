"""`tag --engine ray`: the same tagging on Ray Data, from one machine to a cluster.

The pipeline is Ray Data's read -> ``map_batches`` -> write. ``map_batches`` runs a pool of
actors (``TagActor``), each of which builds the tagger once (encoder, spaCy, signals model,
step model) and then tags batch after batch, so model loading is paid once per actor, not per
batch. Records are exactly those of the local engine (``steplens.pipeline.tagger``): a test compares
them.

Differences from the local engine, by design:

- OUTPUT is a *folder* of part files (Ray writes one file per block), read back in name order for
  input order (``preserve_order`` is on). Point it at shared or object storage on a cluster.
- The input needs an id column (``--id-column``, or ``id``): blocks are tagged on different
  machines, so row numbers are not known where the tagging happens.
- CSV input is read by Arrow with every column as text, as the local reader does; ``--encoding``
  is passed on.

Ray is an optional extra: ``pip install -e .[ray]``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from steplens.pipeline.errors import MissingDependencyError, SteplensError
from steplens.pipeline.journey import Journey, journey_from_dict
from steplens.pipeline.run_metadata import metadata_path
from steplens.pipeline.tables import DEFAULT_ID_COLUMN, Chunk, open_table
from steplens.pipeline.tables.formats import TableFormat, format_for_path, output_format_for_path
from steplens.pipeline.tables.readers import as_text

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 256


@dataclass(frozen=True)
class RayRun:
    """What a Ray tagging run did."""

    rows: int
    output: Path
    files: int


def import_ray() -> Any:
    """Ray, or an error that names the install."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise MissingDependencyError(
            "the Ray engine needs Ray Data: pip install -e '.[ray]' (or pip install 'ray[data]')"
        ) from None
    return ray


class TagActor:
    """A Ray actor: builds the tagger once, then tags one batch (an Arrow table) per call."""

    def __init__(self, options: dict[str, Any]) -> None:
        from steplens.pipeline.tagger import build_tagger

        self.options = options
        journey = journey_from_dict(options["journey"], "journey")
        self.tagger = build_tagger(
            journey,
            model_dir=options["model_dir"],
            threshold=options["threshold"],
            signals=options["signals"],
            precision=options["precision"],
        )
        self.redactor = None
        if options.get("redact"):
            from steplens.pipeline.redact import build_redactor

            self.redactor = build_redactor(journeys=[journey])

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        from steplens.pipeline.tables.writers import csv_cell
        from steplens.pipeline.tagger import as_rows, tag_chunk

        rows = batch.to_pylist()
        texts = [as_text(row.get(self.options["text_column"])) for row in rows]
        ids = [row.get(self.options["id_column"]) for row in rows]
        chunk = Chunk(start=0, rows=rows, texts=texts, ids=ids)
        tagged, _ = tag_chunk(
            self.tagger, chunk, redactor=self.redactor, text_column=self.options["text_column"]
        )
        records = as_rows(tagged, self.options["granularity"])
        if self.options["flat"]:  # CSV: every cell as the local CSV writer writes it
            records = [{k: str(csv_cell(v)) for k, v in record.items()} for record in records]
        return pa.Table.from_pylist(records)


def tag_with_ray(
    journey: Journey,
    input_path: str | Path,
    output_path: str | Path,
    *,
    model_dir: str | Path | None = None,
    threshold: float | None = None,
    signals: bool = True,
    precision: str = "auto",
    granularity: str = "comment",
    text_column: str = "text",
    id_column: str | None = None,
    encoding: str = "utf-8",
    batch_size: int = DEFAULT_BATCH,
    actors: int = 1,
    address: str | None = None,
    redact: bool = False,
) -> RayRun:
    """Tag INPUT into the folder OUTPUT with Ray Data (see the module docstring); ``redact``
    redacts each batch's texts before tagging, as the local engine does."""
    source = Path(input_path)
    check_ray_input(source)
    ray = import_ray()
    out = Path(output_path)
    table = open_table(source, text_column=text_column, id_column=id_column, encoding=encoding)
    if table.export_layout is not None:
        raise SteplensError(
            f"{source} is a {table.export_layout} export with more than one header row, which "
            "the Ray engine reads as answers; tag it with the local engine (--engine local)"
        )
    if table.ids_are_row_numbers:
        raise SteplensError(
            f"{source} has no {DEFAULT_ID_COLUMN!r} column: the Ray engine needs ids "
            "(--id-column NAME), because blocks are tagged apart from their row numbers"
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SteplensError(f"{out} exists; the Ray engine writes a new folder of part files")
    out_format = output_format_for_path(out)
    metadata_path(out).unlink(missing_ok=True)  # never beside an unfinished output
    if not ray.is_initialized():
        ray.init(
            address=address,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
            # Locally: a CPU per actor plus one for the read and write tasks (an actor that
            # holds the only CPU would starve them and the run would never finish).
            **({} if address else {"num_cpus": max(os.cpu_count() or 2, actors + 1)}),
        )
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    dataset = _read(ray, source, table.columns, encoding)
    rows = dataset.count()
    options = {
        "journey": journey.model_dump(mode="json"),
        "model_dir": str(model_dir) if model_dir is not None else None,
        "threshold": threshold,
        "signals": signals,
        "precision": precision,
        "granularity": granularity,
        "text_column": text_column,
        "id_column": table.id_column,
        "flat": out_format in (TableFormat.CSV, TableFormat.TSV),
        "redact": redact,
    }
    tagged = dataset.map_batches(
        TagActor,
        fn_constructor_kwargs={"options": options},
        batch_size=batch_size,
        batch_format="pyarrow",
        concurrency=actors,
    )
    folder = str(out.resolve())
    if out_format is TableFormat.PARQUET:
        tagged.write_parquet(folder)
    elif out_format is TableFormat.JSONL:
        tagged.write_json(folder)
        for part in out.glob("*.json"):  # Ray names JSON Lines parts .json
            part.rename(part.with_suffix(".jsonl"))
    else:
        tagged.write_csv(folder)
    files = sum(1 for _ in out.iterdir()) if out.exists() else 0
    _write_metadata(out, source, options, rows, files)
    return RayRun(rows, out, files)


def _write_metadata(
    out: Path, source: Path, options: dict[str, Any], rows: int, files: int
) -> None:
    """The run's metadata beside the output folder, as the local engine writes it; the step
    classifier is loaded once more on the driver to describe it (the actors hold theirs)."""
    from steplens.pipeline.journey import Journey
    from steplens.pipeline.minilm import resolve_precision
    from steplens.pipeline.run_metadata import write_metadata
    from steplens.pipeline.tagger import build_step_classifier, describe_steps

    journey = Journey.model_validate(options["journey"])
    classifier, _ = build_step_classifier(
        journey,
        model_dir=options["model_dir"],
        threshold=options["threshold"],
        precision=resolve_precision(options["precision"]),
    )
    write_metadata(
        out,
        {
            "input": source.name,
            "engine": "ray",
            "granularity": options["granularity"],
            "text_column": options["text_column"],
            "id_column": options["id_column"],
            "tagger": describe_steps(journey, classifier),
            "signals": options["signals"],
            "counts": {"comments": rows, "part_files": files},
        },
    )


def part_files(folder: str | Path) -> list[Path]:
    """A Ray output folder's part files in input order."""
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith("."))


RAY_FORMATS = (TableFormat.CSV, TableFormat.TSV, TableFormat.JSONL, TableFormat.PARQUET)
"""The input formats Ray Data reads here (its readers take no Excel workbook)."""


def check_ray_input(source: str | Path) -> None:
    """Refuse an input the Ray engine cannot read, before any work (the CLI calls it before
    ``--adapt`` trains anything)."""
    if format_for_path(Path(source)) not in RAY_FORMATS:
        raise SteplensError(
            "--engine ray reads CSV, JSON Lines and Parquet; tag an Excel workbook with the "
            "local engine (the default) or save it as CSV"
        )


def _read(ray: Any, source: Path, columns: list[str], encoding: str) -> Any:
    fmt = format_for_path(source)
    check_ray_input(source)
    if fmt is TableFormat.PARQUET:
        return ray.data.read_parquet(str(source))
    if fmt is TableFormat.JSONL:
        return ray.data.read_json(str(source), lines=True)
    import pyarrow as pa
    from pyarrow import csv as pacsv

    return ray.data.read_csv(
        str(source),
        read_options=pacsv.ReadOptions(encoding=encoding),
        parse_options=pacsv.ParseOptions(
            delimiter="\t" if fmt is TableFormat.TSV else ",", newlines_in_values=True
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in columns},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
