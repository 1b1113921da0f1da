"""The layout rules of docs/architecture: dependencies point one way, imports stay light."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from steplens.pipeline.paths import project_root

ROOT = project_root()


PACKAGES = ("pipeline", "api", "cli", "training")


def package_of(module: str) -> str:
    """The project package a dotted import names (``steplens.pipeline.x`` -> ``pipeline``), or
    its top-level name when it is not one of them (``numpy``, ``steplens``)."""
    parts = module.split(".")
    if parts[0] == "steplens" and len(parts) > 1 and parts[1] in PACKAGES:
        return parts[1]
    return parts[0]


def imports_of(path: Path) -> set[str]:
    """The dotted names a module imports, at any depth in it (lazy imports included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def imported_packages(package: str) -> dict[str, set[str]]:
    """The packages each module of a folder imports (see ``package_of``)."""
    return {
        str(path.relative_to(ROOT)): {package_of(name) for name in imports_of(path)}
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.name != "__main__.py"  # ``python -m steplens`` runs the CLI
    }


def project_modules() -> dict[str, Path]:
    """Every module of steplens.pipeline, .api, .cli and .training by its dotted name."""
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(["steplens", *parts])] = path
    return modules


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


def test_no_import_cycles() -> None:
    """No two modules import each other, directly or round a loop, even lazily: each file's
    job sits below the ones that use it."""
    modules = project_modules()

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {
        module: {found for name in imports_of(path) if (found := owner(name)) and found != module}
        for module, path in modules.items()
    }
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for dependency in sorted(graph[module]):
            if state.get(dependency) == 1:
                cycles.append([*path[path.index(dependency) :], dependency])
            elif dependency not in state:
                visit(dependency, [*path, dependency])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, cycles[:3]


def test_code_imports_only_through_steplens() -> None:
    """``from pipeline...`` would load a second copy of a module beside ``steplens.pipeline``
    (two classes of the same name, isinstance failing); every import names ``steplens``."""
    bare = re.compile(r"^\s*(?:from|import) (?:pipeline|api|cli|training)(?:\.|\s|$)", re.M)
    found = [
        str(path.relative_to(ROOT))
        for folder in (*PACKAGES, "tests", "bench", "steplens")
        for path in (ROOT / folder).rglob("*.py")
        if not path.is_symlink() and bare.search(path.read_text(encoding="utf-8"))
    ]
    assert not found, found


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
