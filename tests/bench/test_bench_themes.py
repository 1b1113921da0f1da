"""The theme-discovery bench runs end to end on a small real set and prints its table."""

from __future__ import annotations

from typing import Any

import pytest

from bench import bench_themes


def test_the_themes_bench_prints_a_row_per_size(
    encoder: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    bench_themes.main(["--sets", "laptop", "--seeds", "1"])
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| laptop")]
    assert len(rows) == 2 and all("steplens" in row for row in rows)
    nmi = float(rows[0].split("|")[5])
    assert 0.2 < nmi < 1.0  # themes follow the aspect categories, well above chance
