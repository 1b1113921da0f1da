"""Batch tagging: whole-process rows/s (local vs Ray), peak memory by input size, kill -9 cost.

    python -m bench.bench_batch [--rows 20000] [--memory-rows 20000,60000] [--only batch,workers]
                                [--write-docs]

Every number is a whole `steplens tag` process timed from outside (``/usr/bin/time -v``: wall
time and peak resident memory), model loading included:

- **throughput**: ``--rows`` comments (the bundled sample's comments cycled; tweet-length), with
  sentiment and effort, by the local engine and by Ray Data in local mode (2 CPUs, 1 actor). Peak
  memory for Ray is the driver's; Ray's workers are separate processes;
- **memory**: the local engine, steps only, on inputs of different sizes: streaming means the
  peak does not grow with the input;
- **kill -9**: a steps-only run killed half way with SIGKILL, then ``--resume``: the time lost is
  (killed part + resumed run) minus one uninterrupted run;
- **workers** (``--only workers``): one process with PyTorch's 2 intra-op threads against two
  processes with one thread each, each tagging half of the same comments.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench.report import DocsSection, Row, Table

SECTION = DocsSection(
    "batch",
    "## Batch tagging: throughput, memory, interruption\n\n"
    "Written by `python -m bench.bench_batch --write-docs`; whole `steplens tag` processes timed "
    "with `/usr/bin/time -v`.",
    ("batch", "workers"),
)
ROWS_PER_S, PEAK_MB = "rows/s", "peak MB"
STEPLENS = [sys.executable, "-c", "from steplens.cli.main import main; main()"]


def write_input(path: Path, rows: int) -> Path:
    """``rows`` comments: the sample's non-empty comments cycled, each with its own id."""
    from bench.bench_steps import load_sample, speed_comments

    texts = speed_comments(load_sample()[0], rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows([f"r{i:07d}", text] for i, text in enumerate(texts))
    return path


def timed(args: Sequence[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one `steplens` process."""
    return timed_process([*STEPLENS, "-q", *args])


def timed_process(
    command: Sequence[str], env: Mapping[str, str] | None = None
) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one process, measured by ``/usr/bin/time -v``.

    ``env`` adds to (or overrides) this process's environment.
    """
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-v", *command],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env} if env else None,
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    return wall, (int(peak.group(1)) / 1024 if peak else float("nan"))


def killed_and_resumed(source: Path, out: Path, rows: int) -> tuple[float, float]:
    """(seconds until the kill, seconds of the resumed run) for a run killed at half way."""
    args = ["tag", str(source), "-j", "ecommerce", "--no-signals", "--out", str(out)]
    checkpoint = out.with_name(out.name + ".progress.json")
    started = time.perf_counter()
    child = subprocess.Popen([*STEPLENS, "-q", *args])
    while child.poll() is None:
        if checkpoint.exists():
            try:
                if json.loads(checkpoint.read_text(encoding="utf-8"))["rows_done"] >= rows // 2:
                    break
            except (ValueError, KeyError):
                pass
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    before = time.perf_counter() - started
    resumed, _ = timed([*args, "--resume"])
    return before, resumed


def run(rows: int, memory_rows: Sequence[int]) -> Table:
    """All three parts."""
    table = Table("batch", "Batch tagging, whole processes", (ROWS_PER_S, PEAK_MB))
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        source = write_input(base / "input.csv", rows)
        setting = f"{rows:,} comments, with signals"
        wall, peak = timed(["tag", str(source), "-j", "ecommerce", "--out", str(base / "l.csv")])
        table.rows.append(
            Row(
                setting,
                "local engine",
                {ROWS_PER_S: rows / wall, PEAK_MB: peak},
                wall,
            )
        )
        wall, peak = timed(
            [
                "tag",
                str(source),
                "-j",
                "ecommerce",
                "--engine",
                "ray",
                "--out",
                str(base / "ray.csv"),
            ]
        )
        table.rows.append(
            Row(
                setting,
                "Ray Data, local mode (driver memory)",
                {ROWS_PER_S: rows / wall, PEAK_MB: peak},
                wall,
            )
        )
        for size in memory_rows:
            sized = write_input(base / f"in{size}.csv", size)
            wall, peak = timed(
                [
                    "tag",
                    str(sized),
                    "-j",
                    "ecommerce",
                    "--no-signals",
                    "--out",
                    str(base / f"m{size}.csv"),
                ]
            )
            table.rows.append(
                Row(
                    f"{size:,} comments, steps only",
                    "local engine",
                    {ROWS_PER_S: size / wall, PEAK_MB: peak},
                    wall,
                )
            )
        whole = next(
            r for r in table.rows if r.setting == f"{memory_rows[0]:,} comments, steps only"
        )
        small = base / f"in{memory_rows[0]}.csv"
        before, resumed = killed_and_resumed(small, base / "k.csv", memory_rows[0])
        lost = before + resumed - whole.seconds
        table.rows.append(
            Row(
                f"{memory_rows[0]:,} comments, steps only",
                "killed at half way (SIGKILL), then --resume",
                {},
                before + resumed,
            )
        )
    peaks = [
        r.metrics[PEAK_MB] for r in table.rows if "steps only" in r.setting and PEAK_MB in r.metrics
    ]
    table.notes += [
        f"peak memory, largest vs smallest input: {max(peaks) / min(peaks):.2f}x "
        f"(target: within 1.3x); inputs {', '.join(f'{n:,}' for n in memory_rows)} rows "
        "(the issue asks for 1,000,000 rows: at about 200 rows/s steps only that is 80+ minutes "
        "on this machine, not run here)",
        f"time lost to kill -9 and --resume: {lost:.1f} s (a second model load plus at most "
        "one chunk of 1,000 rows re-tagged)",
        "Ray in local mode runs the same models in one actor on the same 2 cores: it adds "
        "start-up and serialisation, and pays off only with more machines",
    ]
    return table


def run_workers(rows: int) -> Table:
    """One process with PyTorch's 2 intra-op threads vs two processes with 1 thread each."""
    table = Table(
        "workers",
        f"Local parallelism: {rows:,} comments with signals, one process vs two",
        (ROWS_PER_S, PEAK_MB),
    )
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        whole = write_input(base / "all.csv", rows)
        halves = [base / "a.csv", base / "b.csv"]
        with whole.open(encoding="utf-8", newline="") as handle:
            lines = handle.readlines()
        middle = 1 + (len(lines) - 1) // 2
        halves[0].write_text("".join([lines[0], *lines[1:middle]]), encoding="utf-8")
        halves[1].write_text("".join([lines[0], *lines[middle:]]), encoding="utf-8")
        wall, peak = timed(["tag", str(whole), "-j", "ecommerce", "--out", str(base / "o.csv")])
        table.rows.append(
            Row(
                f"{rows:,} comments",
                "1 process, 2 intra-op threads",
                {ROWS_PER_S: rows / wall, PEAK_MB: peak},
                wall,
            )
        )
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        started = time.perf_counter()
        children = [
            subprocess.Popen(
                [
                    *STEPLENS,
                    "-q",
                    "tag",
                    str(half),
                    "-j",
                    "ecommerce",
                    "--out",
                    str(half.with_suffix(".out.csv")),
                ],
                env=env,
            )
            for half in halves
        ]
        if any(child.wait() != 0 for child in children):
            raise RuntimeError("a worker process failed")
        wall = time.perf_counter() - started
        table.rows.append(
            Row(
                f"{rows:,} comments",
                "2 processes, 1 thread each (half each)",
                {ROWS_PER_S: rows / wall},
                wall,
            )
        )
    one, two = (row.metrics[ROWS_PER_S] for row in table.rows)
    table.notes.append(
        f"two processes give {two / one:.2f}x the throughput of one, for twice the memory (each "
        "loads the models): one process stays the default; `--workers` is not implemented"
    )
    return table


def main(argv: Sequence[str] | None = None) -> None:
    """Run, print, optionally rewrite the docs section."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--memory-rows", default="20000,60000")
    parser.add_argument("--workers-rows", type=int, default=6_000)
    parser.add_argument("--only", default="batch,workers", help="batch,workers")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.memory_rows.split(",")]
    for part in args.only.split(","):
        table = run(args.rows, sizes) if part == "batch" else run_workers(args.workers_rows)
        SECTION.publish(table, write=args.write_docs)


if __name__ == "__main__":
    main(sys.argv[1:])
