"""docs/python.md works as written: its ```python blocks, in order, as one script, run from an
empty folder by the installed interpreter (nothing from the checkout on the path but the
installed package)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from steplens.pipeline.paths import project_root

DOCS = project_root() / "docs" / "python.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)


def test_the_python_guide_runs_as_written(tmp_path: Path) -> None:
    blocks = python_blocks()
    assert len(blocks) >= 5
    script = tmp_path / "guide.py"
    script.write_text("\n".join(blocks), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "es unassigned" in out  # the Spanish comment is flagged, not scored
    assert (tmp_path / "report" / "report.html").is_file()
    assert "nps read as NPS" in out
    assert "right; best cut-off" in out


def test_steplens_imports_nothing_heavy() -> None:
    heavy = "('torch', 'spacy', 'pandas', 'transformers')"
    code = f"import sys, steplens; print(sorted(m for m in {heavy} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
