"""The layout rules of docs/architecture: dependencies point one way, imports stay light."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from steplens.pipeline.paths import project_root

ROOT = project_root()


def imported_packages(package: str) -> dict[str, set[str]]:
    """Top-level names each module of a package imports, at any depth in the module."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("pipeline", {"cli", "api", "training", "bench"}),
        ("api", {"cli", "training"}),
        ("steplens", {"cli", "api", "training", "bench"}),
    ],
)
def test_dependencies_point_one_way(package: str, forbidden: set[str]) -> None:
    for module, names in imported_packages(package).items():
        assert not names & forbidden, f"{module} imports {names & forbidden}"


def test_layout_exists() -> None:
    for name in ("pyproject.toml", "Makefile", "README.md", ".ci/run"):
        assert (ROOT / name).is_file(), name
    for name in ("cli", "pipeline", "models", "api", "training", "data", "tests", "bench", "docs"):
        assert (ROOT / name).is_dir(), name


HEAVY = ("torch", "transformers", "sentence_transformers", "spacy", "sklearn", "pyarrow")


@pytest.mark.parametrize(
    "module",
    [
        "steplens.cli.main",
        "steplens.pipeline.journey",
        "steplens.pipeline.tables",
        "steplens.pipeline.encoder",
        "steplens.cli.journeys",
    ],
)
def test_importing_does_no_heavy_work(module: str) -> None:
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    assert output == "", f"importing {module} loaded {output}"


def test_steplens_help_is_fast_and_light() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from steplens.cli.main import cli; "
        "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0, r.output; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    assert output == ""
