"""Chunked table reading vs loading the whole file: rows per second and peak memory.

Each reader runs in its own subprocess so peak RSS (VmHWM, which starts afresh at exec, unlike
ru_maxrss, which keeps the parent's peak) belongs to that reader alone.
The claim to check: steplens' chunked reader keeps memory flat as files grow, at a throughput
close to the whole-file loaders.

    python -m bench.bench_io [--rows 20000 200000] [--excel-rows 20000]

A second table reads the same rows as an .xlsx workbook (against openpyxl's read-only mode)
and as a SurveyMonkey export with two header rows (against the plain CSV): the merge must cost
nothing per row.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

WORDS = [
    "checkout",
    "delivery",
    "refund",
    "parcel",
    "app",
    "login",
    "password",
    "card",
    "payment",
    "late",
    "quick",
    "easy",
    "never",
    "again",
    "called",
    "three",
    "times",
    "waited",
    "hours",
    "great",
    "service",
    "broken",
    "page",
    "froze",
    "code",
    "promo",
    "courier",
    "tracking",
    "support",
    "chat",
    "agent",
    "helpful",
    "rude",
    "item",
    "size",
    "return",
    "label",
]

READERS = {
    "steplens chunked (1,000 rows/chunk)": (
        "from steplens.pipeline.tables import open_table\n"
        "n = 0\n"
        "for chunk in open_table(PATH, chunk_size=1000).chunks():\n"
        "    n += len(chunk.texts)\n"
    ),
    "baseline: list(csv.DictReader)": (
        "import csv\n"
        "with open(PATH, newline='', encoding='utf-8') as f:\n"
        "    rows = list(csv.DictReader(f))\n"
        "n = len(rows)\n"
    ),
    "baseline: pyarrow.csv.read_csv": (
        "import pyarrow.csv as pc\nn = pc.read_csv(PATH).num_rows\n"
    ),
}

EXCEL_READERS = {
    "steplens chunked (python-calamine)": READERS["steplens chunked (1,000 rows/chunk)"],
    "baseline: openpyxl read-only": (
        "import openpyxl\n"
        "book = openpyxl.load_workbook(PATH, read_only=True)\n"
        "rows = list(book.active.iter_rows(values_only=True))\n"
        "n = len(rows) - 1\n"
    ),
}
"""Excel (.xlsx) readers: steplens' chunked reader (python-calamine parses the whole sheet into
memory first) against openpyxl's read-only mode."""

HARNESS = """
import sys, time, json
PATH = sys.argv[1]

def peak_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

start = time.perf_counter()
{body}
elapsed = time.perf_counter() - start
print(json.dumps({{"rows": n, "seconds": elapsed,
                  "peak_mb": peak_kb() / 1024}}))
"""


def make_file(path: Path, rows: int, seed: int = 13) -> None:
    """A CSV of tweet-length comments with an id, a date and a channel."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "created_at", "channel", "text"])
        for index in range(rows):
            words = rng.choices(WORDS, k=rng.randint(5, 30))
            writer.writerow(
                [f"fb-{index}", f"2026-07-{1 + index % 28:02d}", "web", " ".join(words)]
            )


def make_workbook(source: Path, path: Path) -> None:
    """The CSV ``source`` as an .xlsx workbook (openpyxl's write-only mode)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Responses")
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    book.save(path)


def make_surveymonkey(source: Path, path: Path) -> None:
    """The CSV ``source`` laid out as a SurveyMonkey export: respondent columns first, two
    header rows (question texts, then ``Response`` / ``Open-Ended Response``)."""
    with (
        source.open(encoding="utf-8", newline="") as handle,
        path.open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.reader(handle)
        writer = csv.writer(out)
        next(reader)
        writer.writerow(["Respondent ID", "Start Date", "Channel", "text"])
        writer.writerow(["", "", "Response", "Open-Ended Response"])
        writer.writerows(reader)


def run_reader(body: str, path: Path) -> dict[str, float]:
    """Time one reader in a fresh interpreter; returns rows, seconds and peak MB."""
    code = HARNESS.format(body=body)
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    parsed: dict[str, float] = json.loads(result.stdout)
    return parsed


def main(argv: list[str] | None = None) -> None:
    """Print the table: reader x file size, rows/s, ratio to the fastest baseline, peak MB."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument(
        "--excel-rows",
        type=int,
        nargs="*",
        default=[20_000],
        help="sizes of the Excel and SurveyMonkey cases (none to skip them)",
    )
    args = parser.parse_args(argv)
    print("\n## Table reading: chunked vs whole-file (CSV, tweet-length comments)\n")
    print("| rows | reader | rows/s | vs csv.DictReader | peak RSS MB |")
    print("|---:|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for rows in args.rows:
            path = Path(folder) / f"feedback_{rows}.csv"
            make_file(path, rows)
            results = {name: run_reader(body, path) for name, body in READERS.items()}
            baseline = results["baseline: list(csv.DictReader)"]
            base_rate = baseline["rows"] / baseline["seconds"]
            for name, result in results.items():
                rate = result["rows"] / result["seconds"]
                print(
                    f"| {rows:,} | {name} | {rate:,.0f} | {rate / base_rate:.2f}x "
                    f"| {result['peak_mb']:.0f} |"
                )
        if args.excel_rows:
            print("\n## Survey exports: Excel and SurveyMonkey layouts\n")
            print("| rows | file | reader | rows/s | vs baseline | peak RSS MB |")
            print("|---:|---|---|---:|---:|---:|")
        for rows in args.excel_rows:
            source = Path(folder) / f"export_{rows}.csv"
            make_file(source, rows)
            workbook = source.with_suffix(".xlsx")
            make_workbook(source, workbook)
            monkey = source.with_name(f"surveymonkey_{rows}.csv")
            make_surveymonkey(source, monkey)
            cases = [
                (workbook, ".xlsx", EXCEL_READERS, "baseline: openpyxl read-only"),
                (source, "plain .csv", {k: READERS[k] for k in list(READERS)[:1]}, None),
                (monkey, "SurveyMonkey .csv", {k: READERS[k] for k in list(READERS)[:1]}, None),
            ]
            plain_rate = 0.0
            for path, label, readers, base in cases:
                results = {name: run_reader(body, path) for name, body in readers.items()}
                base_rate = results[base]["rows"] / results[base]["seconds"] if base else plain_rate
                for name, result in results.items():
                    rate = result["rows"] / result["seconds"]
                    if label == "plain .csv":
                        plain_rate = base_rate = rate
                    print(
                        f"| {rows:,} | {label} | {name} | {rate:,.0f} | "
                        f"{rate / base_rate:.2f}x | {result['peak_mb']:.0f} |"
                    )


if __name__ == "__main__":
    main(sys.argv[1:])
