"""What a `tag` run decided with, kept beside its output (``<output>.steplens.json``).

A tagged file is read weeks later, by someone else, often after the journey or the model has
changed. The sidecar (written by the local and the Ray engine) says which journey and step
classifier tagged it, the calibrated cut-offs the comment-level decision used (the
``unassigned`` threshold and the second-step cut), whether signals were scored, and the run's
counts, so a number in a report can be traced to the settings that produced it. It is plain
JSON, written once the output is complete.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path
from typing import Any

from steplens.pipeline.tables.writers import fsync_dir

logger = logging.getLogger(__name__)

SUFFIX = ".steplens.json"


def metadata_path(output_path: str | Path) -> Path:
    """The sidecar of an output file or folder: its name plus ``.steplens.json``."""
    path = Path(output_path)
    return path.with_name(path.name + SUFFIX)


def write_metadata(output_path: str | Path, metadata: dict[str, Any]) -> Path:
    """Write the sidecar atomically and durably (a reader never sees half a file); returns its
    path."""
    from steplens.pipeline import __version__

    path = metadata_path(output_path)
    payload = {
        "steplens_version": __version__,
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "output": Path(output_path).name,
        **metadata,
    }
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(payload, indent=2, default=str) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    fsync_dir(path.parent)
    logger.info("run metadata written to %s", path)
    return path


def read_metadata(output_path: str | Path) -> dict[str, Any] | None:
    """The sidecar of ``output_path``, or None when there is none."""
    path = metadata_path(output_path)
    if not path.exists():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
