"""Shared fixtures: the real encoder (loaded once per session) and small feedback files."""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from steplens.pipeline.offline import ensure_offline

ensure_offline()


def pytest_configure(config: pytest.Config) -> None:
    """Give the session its own embedding cache, so no test reads or fills the user's."""
    if "STEPLENS_CACHE_DIR" not in os.environ:
        folder = tempfile.mkdtemp(prefix="steplens-test-cache-")
        os.environ["STEPLENS_CACHE_DIR"] = folder
        config.stash[CACHE_KEY] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the session's embedding cache."""
    folder = config.stash.get(CACHE_KEY, None)
    if folder:
        os.environ.pop("STEPLENS_CACHE_DIR", None)
        shutil.rmtree(folder, ignore_errors=True)


CACHE_KEY = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def encoder() -> Any:
    """The packaged all-MiniLM-L6-v2, loaded once for the whole test session."""
    from steplens.pipeline.encoder import load_encoder

    return load_encoder()


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (dicts) to a CSV file in a temporary folder and return its path."""

    def write(rows: list[dict[str, Any]], name: str = "feedback.csv") -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return path

    return write


@pytest.fixture
def write_jsonl(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (dicts) to a JSON Lines file and return its path."""

    def write(rows: list[dict[str, Any]], name: str = "feedback.jsonl") -> Path:
        path = tmp_path / name
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_parquet(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (dicts) to a Parquet file and return its path."""

    def write(rows: list[dict[str, Any]], name: str = "feedback.parquet") -> Path:
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = tmp_path / name
        pq.write_table(pa.Table.from_pylist(rows), path)
        return path

    return write


SAMPLE_ROWS = [
    {"id": "a1", "text": "Checkout was quick but delivery took two weeks.", "channel": "web"},
    {"id": "a2", "text": "", "channel": "app"},
    {"id": "a3", "text": "   ", "channel": "app"},
    {"id": "00123", "text": "Refund still not here, called 3 times 😡", "channel": "chat"},
    {"id": "a5", "text": 'They said "soon", again, for the 4th time', "channel": "email"},
]


@pytest.fixture
def sample_rows() -> list[dict[str, Any]]:
    """Five feedback rows with an empty and a whitespace-only text, emoji, quotes and commas."""
    return [dict(row) for row in SAMPLE_ROWS]


@pytest.fixture(scope="session")
def tagged_sample(tmp_path_factory: pytest.TempPathFactory, encoder: Any) -> Path:
    """The bundled ecommerce sample tagged once per session by the real tagger (with signals)."""
    from steplens.pipeline.journey import load_journey
    from steplens.pipeline.paths import samples_dir
    from steplens.pipeline.tagger import build_tagger, tag_file

    out = tmp_path_factory.mktemp("tagged") / "ecommerce_tagged.csv"
    tagger = build_tagger(load_journey("ecommerce"))
    tag_file(tagger, samples_dir() / "ecommerce_feedback.csv", out)
    return out


def build_sample_report(tagged: Path, **options: Any) -> Any:
    """The ecommerce report of a tagged file with every option on (metrics, periods, groups)."""
    from steplens.pipeline.journey import load_journey
    from steplens.pipeline.paths import samples_dir
    from steplens.pipeline.report.build import build_report, load_tagged
    from steplens.pipeline.report.metrics import load_metrics

    journey = load_journey("ecommerce")
    return build_report(
        load_tagged(tagged),
        journey,
        metrics=load_metrics(samples_dir() / "ecommerce_metrics.csv", journey),
        period_column="created_at",
        group_by="channel",
        score_column="nps",
        **options,
    )


@pytest.fixture(scope="session")
def sample_report(tagged_sample: Path) -> Any:
    """The report of the tagged sample, built once per session."""
    return build_sample_report(tagged_sample)


@dataclass
class Run:
    """What `tag` wrote and what `report` said about it."""

    tagged: list[dict[str, str]]
    steps: dict[str, Any]
    terminal: str


def tag_and_report(
    tmp_path: Path, export: Path, tag_args: list[str], report_args: list[str]
) -> Run:
    """`steplens tag` EXPORT, then `steplens report` on what it wrote (journey ecommerce, no
    themes or key phrases), both checked to succeed, the report with every date read."""
    from click.testing import CliRunner

    from steplens.cli.main import cli

    runner = CliRunner()
    tagged = tmp_path / "tagged.csv"
    done = runner.invoke(
        cli, ["tag", str(export), "-j", "ecommerce", "--out", str(tagged), *tag_args]
    )
    assert done.exit_code == 0, done.output
    out = tmp_path / "report"
    report = runner.invoke(
        cli,
        ["report", str(tagged), "-j", "ecommerce", "--no-themes", "--no-key-phrases",
         "--out", str(out), *report_args],
    )  # fmt: skip
    assert report.exit_code == 0, report.output
    with tagged.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    steps = json.loads((out / "steps.json").read_text(encoding="utf-8"))
    assert steps["unreadable_dates"]["count"] == 0 and steps["undated_comments"] == 0
    assert (out / "report.html").exists()
    return Run(rows, steps, report.output)
