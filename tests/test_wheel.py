"""A wheel works outside the checkout: it carries the bundled journeys, the sample, the
calibration texts and the shipped models, tags with no environment variable, and installs one
import name, ``steplens`` (a notebook folder's own ``steplens.pipeline.py`` or another package named
``api`` cannot clash with it)."""

from __future__ import annotations

import csv
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from steplens.pipeline.paths import project_root

PACKAGES = ("steplens", "cli", "pipeline", "api", "training")  # steplens/ links to the others
BUNDLED = ("data/journeys", "data/samples", "data/calibration", "models")
SCRIPT = """
import csv, sys
import importlib.util
import steplens.pipeline, steplens.pipeline.paths as paths
from steplens.cli.main import main
for generic in ("pipeline", "api", "cli", "training"):
    assert importlib.util.find_spec(generic) is None, generic
assert not paths.in_checkout(), paths.project_root()
rows = list(csv.DictReader(open(paths.samples_dir() / "ecommerce_feedback.csv", encoding="utf-8")))
with open("few.csv", "w", encoding="utf-8", newline="") as handle:
    writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows[:20])
print("package at", steplens.pipeline.__file__)
sys.argv = ["steplens", "-q", "tag", "few.csv", "-j", "ecommerce", "--out", "tagged.csv"]
main()
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, installed (without its dependencies, which this
    environment has) into a folder of its own."""
    folder = tmp_path_factory.mktemp("wheel")
    source = folder / "source"  # a copy: setuptools' build/ in the checkout could hold stale files
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("pyproject.toml", "README.md"):
        source.mkdir(exist_ok=True)
        shutil.copy2(project_root() / name, source / name)
    for name in (*PACKAGES, *BUNDLED):
        shutil.copytree(project_root() / name, source / name, ignore=ignore)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(folder / "dist"), str(source)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = (folder / "dist").glob("steplens-*.whl")
    target = folder / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-2000:]
    return target


def test_the_wheel_carries_journeys_sample_calibration_and_models(installed: Path) -> None:
    bundled = installed / "steplens" / "_bundled"
    for name in ("journeys/ecommerce.yaml", "samples/ecommerce_feedback.csv",
                 "calibration/background_embeddings.npy"):  # fmt: skip
        assert (bundled / "data" / name).is_file(), name
    assert (bundled / "models" / "signals" / "heads.safetensors").is_file()


def test_the_installed_wheel_tags_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEPLENS_")}
    env["PYTHONPATH"] = str(installed)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert str(installed) in done.stdout  # the installed copy, not the checkout
    with (tmp_path / "tagged.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 20 and {"step", "sentiment", "language"} <= set(rows[0])
    assert sum(row["step"] != "unassigned" for row in rows) >= 10


def test_the_wheel_installs_one_top_level_name(installed: Path) -> None:
    names = {path.name for path in installed.iterdir() if not path.name.endswith(".dist-info")}
    assert names == {"steplens", "bin"}, names  # bin/: the `steplens` command
    assert [path.name for path in (installed / "bin").iterdir()] == ["steplens"]
    assert (installed / "steplens" / "pipeline" / "tagger.py").is_file()
    assert not (installed / "steplens" / "pipeline").is_symlink()  # a copy, not the checkout's link


def test_the_checkout_puts_no_generic_name_on_the_path() -> None:
    """In the editable install ``make install`` builds, only ``steplens`` is importable: the
    test runs in a fresh interpreter from a folder that is not the checkout."""
    code = (
        "import importlib.util, steplens.pipeline.tagger; "
        "print([n for n in ('pipeline', 'api', 'cli', 'training') "
        "if importlib.util.find_spec(n)])"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=Path("/"), env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
    assert importlib.util.find_spec("steplens.pipeline") is not None
