"""Shared by the benchmark scripts: result rows, markdown tables and the docs/benchmarks.md writer.

Each script owns one section of ``docs/benchmarks.md`` (between ``<!-- NAME:start -->`` and
``<!-- NAME:end -->``) made of one block per part, so rerunning one part rewrites only its block.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from steplens.pipeline.minilm import usable_cores
from steplens.pipeline.paths import project_root

DOCS_PATH = project_root() / "docs" / "benchmarks.md"
WHOLE_NUMBER_COLUMNS = (
    *("comments/s", "segments/s", "texts/s", "rows/s", "clauses/s"),
    *("peak MB", "server peak MB"),
    *("planted", "found", "detections"),
)

DOC_INTRO = """# Benchmarks

Numbers measured by the scripts in `bench/`, each against a baseline in the same run on the same
machine. Each section is (re)written by its script between its markers; edit outside them.
"""


@dataclass
class Row:
    """One method in one setting; rows with the same setting and method are seeds of a run."""

    setting: str
    method: str
    metrics: dict[str, float]
    seconds: float


@dataclass
class Table:
    """One dataset's results: a title, the metric columns, rows and notes."""

    part: str
    title: str
    columns: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def grouped(rows: Sequence[Row]) -> dict[tuple[str, str], list[Row]]:
    """Rows by (setting, method), in order of first appearance."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.setting, row.method), []).append(row)
    return groups


def format_values(values: Sequence[float], digits: int) -> str:
    """One value, or the mean and the min-max of several (one per seed); '–' for none."""
    if not values:
        return "–"
    mean = float(np.mean(values))
    if len(values) == 1:
        return f"{mean:,.{digits}f}"
    return f"{mean:,.{digits}f} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def mean_metric(table: Table, setting: str, method: str, metric: str) -> float:
    """The mean of a metric over the seeds of one (setting, method)."""
    rows = grouped(table.rows)[(setting, method)]
    return float(np.mean([row.metrics[metric] for row in rows]))


def digits_for(column: str) -> int:
    """Decimals to show: rates with 3, throughputs with 0."""
    return 0 if column in WHOLE_NUMBER_COLUMNS else 3


def render(table: Table) -> list[str]:
    """The table as markdown lines: a heading, the table and its notes."""
    header = ["setting", "method", *table.columns, "seconds"]
    lines = [
        f"### {table.title}",
        "",
        "| " + " | ".join(header) + " |",
        "|---|---|" + "---:|" * (len(table.columns) + 1),
    ]
    for (setting, method), rows in grouped(table.rows).items():
        cells = [
            format_values([r.metrics[c] for r in rows if c in r.metrics], digits_for(c))
            for c in table.columns
        ]
        seconds = format_values([r.seconds for r in rows], 1)
        lines.append("| " + " | ".join([setting, method, *cells, seconds]) + " |")
    if table.notes:
        lines += ["", *[f"- {note}" for note in table.notes]]
    return lines


def target_note(
    what: str, value: float, target: float, digits: int = 3, *, at_most: bool = False
) -> str:
    """'what: value (target >= x: met / not met)', or '<=' for costs (``at_most``)."""
    met = value <= target if at_most else value >= target
    sign = "<=" if at_most else ">="
    verdict = "met" if met else "NOT met"
    return f"{what}: {value:,.{digits}f} (target {sign} {target:,.{digits}f}: {verdict})"


def machine() -> str:
    """Cores, CPU model, the current load average and torch threads, in words."""
    cores = usable_cores()
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    torch = sys.modules.get("torch")
    threads = f", torch threads {torch.get_num_threads()}" if torch is not None else ""
    return f"{cores} cores ({model}), load average {load}{threads}"


def block_for(table: Table, measured_on: str) -> list[str]:
    """One part's markdown block: the table with when and where it was measured."""
    lines = render(table)
    return [*lines[:2], f"_Measured {measured_on}._", "", *lines[2:]]


@dataclass(frozen=True)
class DocsSection:
    """One script's section of docs/benchmarks.md: an intro and one block per part."""

    name: str
    intro: str
    parts: tuple[str, ...]

    @property
    def markers(self) -> tuple[str, str]:
        """The markers around the whole section."""
        return f"<!-- {self.name}:start -->", f"<!-- {self.name}:end -->"

    def part_markers(self, part: str) -> tuple[str, str]:
        """The markers around one part's block inside the section."""
        return f"<!-- {self.name}:{part}:start -->", f"<!-- {self.name}:{part}:end -->"

    def existing_blocks(self, section: str) -> dict[str, str]:
        """The part blocks already in the docs section, by part."""
        blocks = {}
        for part in self.parts:
            start, end = self.part_markers(part)
            pattern = re.escape(start) + r"\n(.*?)\n" + re.escape(end)
            match = re.search(pattern, section, re.DOTALL)
            if match:
                blocks[part] = match.group(1)
        return blocks

    def render(self, blocks: dict[str, str]) -> str:
        """The whole section, markers included."""
        start, end = self.markers
        lines = [start, self.intro]
        for part in self.parts:
            if part in blocks:
                part_start, part_end = self.part_markers(part)
                lines += [part_start, blocks[part], part_end, ""]
        lines.append(end)
        return "\n".join(lines)

    def publish(self, table: Table, *, write: bool, path: Path = DOCS_PATH) -> str:
        """Print one part's block (stamped with today and this machine); with ``write``, put it
        in the docs right away, so a later part that fails keeps what was measured."""
        measured_on = f"{dt.date.today().isoformat()} on {machine()}"
        block = "\n".join(block_for(table, measured_on))
        print("\n" + block, flush=True)
        if write:
            self.update({table.part: block}, path)
        return block

    def update(self, new_blocks: dict[str, str], path: Path = DOCS_PATH) -> None:
        """Rewrite this section of ``path``, keeping parts not rerun and all other sections."""
        text = path.read_text(encoding="utf-8") if path.is_file() else DOC_INTRO
        start, end = self.markers
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
        match = pattern.search(text)
        blocks = self.existing_blocks(match.group(0)) if match else {}
        section = self.render({**blocks, **new_blocks})
        if match:
            text = text[: match.start()] + section + text[match.end() :]
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def chosen_parts(value: str, parts: Sequence[str]) -> list[str]:
    """A benchmark's comma-separated ``--only`` list, checked against ``parts``, in their order."""
    wanted = {name.strip() for name in value.split(",") if name.strip()}
    unknown = wanted - set(parts)
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(parts)}"
        )
    return [part for part in parts if part in wanted]
