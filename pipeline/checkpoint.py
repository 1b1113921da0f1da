"""Checkpoints of a `tag` run, so an interrupted run resumes where its last durable chunk ended.

After each chunk is on disk (``TableWriter(durable=True)``), ``OUTPUT.progress.json`` records how
many input rows are done, how many records were written and where the output ends. The file is
replaced atomically (written aside, fsynced, renamed, directory fsynced), so after Ctrl-C,
``kill -9`` or a power cut it describes a chunk boundary that is really on disk. A resumed run
checks that it is the same job (same input file, size and modification time, same options) and
refuses otherwise, naming what changed.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from steplens.pipeline.errors import InputFileError
from steplens.pipeline.tables.writers import fsync_dir

PROGRESS_SUFFIX = ".progress.json"


def progress_path(output: str | Path) -> Path:
    """Where the checkpoint of a run writing ``output`` lives."""
    output = Path(output)
    return output.with_name(output.name + PROGRESS_SUFFIX)


@dataclass
class TagProgress:
    """One run's identity and how far it got."""

    input: str
    input_size: int
    input_mtime_ns: int
    options: dict[str, Any] = field(default_factory=dict)
    rows_done: int = 0
    records_written: int = 0
    unassigned: int = 0
    position: int = 0

    @classmethod
    def start(cls, input_path: str | Path, options: dict[str, Any]) -> TagProgress:
        """A new run over ``input_path`` with ``options`` (anything that changes the output)."""
        path = Path(input_path).resolve()
        stat = path.stat()
        as_saved = json.loads(json.dumps(options, default=str))  # compare like with like
        return cls(str(path), stat.st_size, stat.st_mtime_ns, as_saved)

    def differences(self, other: TagProgress) -> list[str]:
        """Why ``other`` (this run) is not the job this checkpoint belongs to; empty if it is."""
        found = []
        if self.input != other.input:
            found.append(f"the input was {self.input}, now {other.input}")
        elif (self.input_size, self.input_mtime_ns) != (other.input_size, other.input_mtime_ns):
            found.append(f"{self.input} changed since the interrupted run")
        for name in sorted(set(self.options) | set(other.options)):
            before, now = self.options.get(name), other.options.get(name)
            if before != now:
                found.append(f"{name} was {before!r}, now {now!r}")
        return found

    def save(self, path: Path) -> None:
        """Replace the checkpoint file atomically and durably."""
        temporary = path.with_name(path.name + ".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        fsync_dir(path.parent)

    @classmethod
    def load(cls, path: Path) -> TagProgress | None:
        """The checkpoint at ``path``; None when there is none."""
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except (ValueError, TypeError) as exc:
            raise InputFileError(
                f"{path}: the checkpoint of an interrupted run is unreadable ({exc}); delete it "
                "and the output's .part file to start over"
            ) from None
