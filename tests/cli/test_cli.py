"""The CLI: every command is listed, helped and documented; journeys and inspect work end to end."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from steplens.cli.main import cli
from steplens.pipeline.paths import project_root, samples_dir

DOCS = project_root() / "docs" / "cli.md"


def walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, click.Group):
        context = click.Context(command)
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            assert sub is not None, name
            yield from walk(sub, (*path, name))


def all_commands() -> list[tuple[str, ...]]:
    return [path for path in walk(cli) if path]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_help_lists_the_commands(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("journeys", "inspect"):
        assert re.search(rf"^\s+{name}\s+\S", result.output, re.MULTILINE), name


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_help_and_is_documented(runner: CliRunner, path: tuple[str, ...]) -> None:
    result = runner.invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command: Any = cli
    for name in path:
        command = command.get_command(click.Context(command), name)
    assert command.help and len(command.help.strip()) > 20, f"{path} has no real help text"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"option {param.name} of {' '.join(path)} has no help"
    heading = "## steplens " + " ".join(path)
    docs = DOCS.read_text(encoding="utf-8")
    assert heading in docs, f"{heading!r} missing from docs/cli.md"
    section = re.split(r"^## ", docs.split(heading + "\n", 1)[1], flags=re.MULTILINE)[0]
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            names = [name for name in (*param.opts, *param.secondary_opts) if name[:2] == "--"]
            assert any(name in section for name in names), (
                f"option {names[0]} of {' '.join(path)} is not in its section of docs/cli.md"
            )


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and "steplens" in result.output


def test_journeys_list(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["journeys", "list", "--json"])
    assert result.exit_code == 0
    listed = {row["name"]: row["steps"] for row in json.loads(result.output)}
    assert set(listed) == {"banking", "ecommerce", "saas"}
    assert listed["ecommerce"] >= 9
    table = runner.invoke(cli, ["journeys", "list"])
    assert table.exit_code == 0 and "ecommerce" in table.output


def test_journeys_show(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["journeys", "show", "saas", "--json"])
    assert result.exit_code == 0
    journey = json.loads(result.output)
    assert journey["steps"][0]["id"] == "signup"
    table = runner.invoke(cli, ["journeys", "show", "ecommerce", "--examples"])
    assert table.exit_code == 0
    assert "checkout" in table.output


def test_journeys_validate_accepts_the_bundled_ones(runner: CliRunner) -> None:
    names = ["ecommerce", "banking", "saas"]
    result = runner.invoke(cli, ["journeys", "validate", *names])
    assert result.exit_code == 0, result.output
    assert result.output.count("valid: ") == 3
    files = [str(project_root() / "data" / "journeys" / f"{name}.yaml") for name in names]
    assert runner.invoke(cli, ["journeys", "validate", *files]).exit_code == 0


def test_journeys_validate_rejects_a_broken_file(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: shop\nsteps:\n  - id: pay\n  - id: pay\n", encoding="utf-8")
    result = runner.invoke(cli, ["journeys", "validate", str(broken), "saas"])
    assert result.exit_code == 1
    assert "invalid:" in result.output and "broken.yaml" in result.output
    assert "step 2 ('pay'): duplicate id" in result.output
    assert "valid: saas" in result.output
    assert "Traceback" not in result.output


def test_user_errors_are_clean_messages(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["journeys", "show", "no_such_journey"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown journey 'no_such_journey'")
    assert "Traceback" not in result.output


def test_inspect_the_bundled_sample(runner: CliRunner) -> None:
    sample = samples_dir() / "ecommerce_feedback.csv"
    result = runner.invoke(cli, ["inspect", str(sample), "--json"])
    assert result.exit_code == 0, result.output
    profile = json.loads(result.output)
    assert profile["rows"] >= 400
    assert profile["empty_texts"] >= 1
    assert profile["id_column"] == "id" and profile["duplicate_ids"] == 0
    assert {"created_at", "channel", "text"} <= set(profile["columns"])


def test_inspect_reports_a_missing_column(
    runner: CliRunner, write_csv: Callable[..., Path]
) -> None:
    path = write_csv([{"id": 1, "comment": "hi"}])
    result = runner.invoke(cli, ["inspect", str(path)])
    assert result.exit_code == 1
    assert "no text column 'text'; the columns are: 'id', 'comment'" in result.output
    ok = runner.invoke(cli, ["inspect", str(path), "--text-column", "comment"])
    assert ok.exit_code == 0 and "rows:         1" in ok.output
