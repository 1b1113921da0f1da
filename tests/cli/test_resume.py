"""`tag --resume`: a run killed with SIGKILL continues; every input row is written exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from steplens.cli.main import cli
from steplens.pipeline.checkpoint import progress_path
from steplens.pipeline.tables import open_table

TEXTS = [
    "Checkout froze on the address page",
    "The parcel came two days late",
    "Refund still not here after 10 days",
    "Love the new search filters",
    "",
    "Support never answered my email",
]
ROWS = 1_200
CHUNK = 50


def write_input(folder: Path, suffix: str) -> Path:
    rows = [{"id": f"r{i:05d}", "text": TEXTS[i % len(TEXTS)]} for i in range(ROWS)]
    path = folder / f"input{suffix}"
    if suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
    elif suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        path.write_text(
            "id,text\n" + "".join(f"{r['id']},{r['text']}\n" for r in rows), encoding="utf-8"
        )
    return path


def tag_args(source: Path, out: Path) -> list[str]:
    return [
        "tag",
        str(source),
        "-j",
        "ecommerce",
        "--no-signals",
        "--chunk-size",
        str(CHUNK),
        "--out",
        str(out),
    ]


def kill_midway(args: list[str], checkpoint: Path, rows: int) -> int:
    """Run `steplens ARGS` in a child process and SIGKILL it once ``rows`` rows are durable."""
    command = [sys.executable, "-c", "from steplens.cli.main import main; main()", *args]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    done = 0
    try:
        while time.monotonic() < deadline and child.poll() is None:
            if checkpoint.exists():
                try:
                    done = json.loads(checkpoint.read_text(encoding="utf-8"))["rows_done"]
                except (ValueError, KeyError):
                    done = 0  # caught between write and rename: never, but be safe
                if done >= rows:
                    break
            time.sleep(0.02)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert rows <= done < ROWS, f"the child wrote {done} rows before it was killed"
    return done


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_a_killed_run_resumes_with_every_row_once(
    tmp_path: Path, suffix: str, encoder: Any
) -> None:
    source = write_input(tmp_path, suffix)
    out = tmp_path / f"out{suffix}"
    checkpoint = progress_path(out)
    done = kill_midway(tag_args(source, out), checkpoint, rows=300)
    assert not out.exists() and checkpoint.exists()

    runner = CliRunner()
    refused = runner.invoke(cli, tag_args(source, out))
    assert refused.exit_code == 1 and "--resume" in refused.output
    changed = runner.invoke(cli, [*tag_args(source, out), "--granularity", "segment", "--resume"])
    assert changed.exit_code == 1 and "granularity was 'comment', now 'segment'" in changed.output

    resumed = runner.invoke(cli, [*tag_args(source, out), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert f"resumed after row {done}" in resumed.output
    ids = [row["id"] for chunk in open_table(out) for row in chunk.rows]
    assert ids == [f"r{i:05d}" for i in range(ROWS)]  # each once, in input order
    assert not checkpoint.exists()
    assert not out.with_name(out.name + ".part").exists()
    assert not out.with_name(out.name + ".parts").exists()


def test_resume_without_a_checkpoint_starts_over(tmp_path: Path, encoder: Any) -> None:
    source = write_input(tmp_path, ".csv")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, [*tag_args(source, out), "--resume"])
    assert result.exit_code == 0, result.output
    assert sum(len(chunk) for chunk in open_table(out)) == ROWS
