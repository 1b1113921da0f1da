"""`tag --engine ray` (Ray Data in local mode, 2 CPUs) gives the local engine's records."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from steplens.cli.main import cli
from steplens.pipeline.tables import open_table

pytest.importorskip("ray.data", reason="Ray is not installed (pip install -e .[ray])")

FEEDBACK = [
    {"id": f"c{i:03d}", "text": text, "channel": channel}
    for i, (text, channel) in enumerate(
        [
            ("Checkout was quick but delivery took two weeks.", "web"),
            ("", "app"),
            ("Refund still not here, called 3 times 😡", "chat"),
            ("00123", "email"),
            ('They said "soon", again,\nfor the 4th time', "chat"),
            ("The search filters are great", "web"),
        ]
        * 5
    )
]


@pytest.fixture(scope="module")
def ray_session() -> Any:
    import ray

    yield
    if ray.is_initialized():
        ray.shutdown()


def read_folder(folder: Path) -> list[dict[str, Any]]:
    from steplens.pipeline.ray_engine import part_files

    return [row for part in part_files(folder) for chunk in open_table(part) for row in chunk.rows]


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-5, abs_tol=1e-6)
    return bool(a == b)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_ray_gives_the_local_records(
    ray_session: Any, tmp_path: Path, suffix: str, write_csv: Any, write_jsonl: Any, encoder: Any
) -> None:
    source = (write_csv if suffix == ".csv" else write_jsonl)(FEEDBACK, name=f"in{suffix}")
    runner = CliRunner()
    local = tmp_path / f"local{suffix}"
    # fp32 on both sides: bf16 results move in the third decimal with the batch composition
    # (Ray's blocks of 8 vs the local chunk), which is not what this test is about.
    command = ["tag", str(source), "-j", "ecommerce", "--precision", "fp32"]
    assert runner.invoke(cli, [*command, "--out", str(local)]).exit_code == 0
    ray_out = tmp_path / f"ray{suffix}"
    result = runner.invoke(
        cli,
        [
            *command,
            "--engine",
            "ray",
            "--chunk-size",
            "8",
            "--out",
            str(ray_out),
        ],
    )
    assert result.exit_code == 0, result.output
    # Both engines record the same classifier and cut-offs beside their output.
    ray_meta = json.loads((tmp_path / f"ray{suffix}.steplens.json").read_text())
    local_meta = json.loads((tmp_path / f"local{suffix}.steplens.json").read_text())
    assert ray_meta["engine"] == "ray" and ray_meta["counts"]["comments"] == len(FEEDBACK)
    assert ray_meta["tagger"] == local_meta["tagger"]
    expected = [row for chunk in open_table(local) for row in chunk.rows]
    got = read_folder(ray_out)
    assert [row["id"] for row in got] == [row["id"] for row in expected]  # order kept
    for mine, theirs in zip(got, expected, strict=True):
        assert set(mine) == set(theirs)
        for key, value in theirs.items():
            if key == "steps":
                ours = json.loads(mine[key]) if isinstance(mine[key], str) else mine[key]
                ref = json.loads(value) if isinstance(value, str) else value
                assert [e["step"] for e in ours] == [e["step"] for e in ref]
                for e1, e2 in zip(ours, ref, strict=True):
                    assert all(same(e1[k], e2[k]) for k in e2 if e2[k] is not None)
            elif value in ("", None):
                assert mine[key] in ("", None), key
            else:
                assert (
                    same(mine[key], value)
                    if isinstance(value, float)
                    else str(mine[key]) == str(value)
                ), key


def test_ray_needs_ids(ray_session: Any, write_csv: Any, tmp_path: Path) -> None:
    source = write_csv([{"text": "a"}], name="noid.csv")
    result = CliRunner().invoke(
        cli,
        [
            "tag",
            str(source),
            "-j",
            "ecommerce",
            "--engine",
            "ray",
            "--out",
            str(tmp_path / "o.csv"),
        ],
    )
    assert result.exit_code == 1 and "needs ids" in result.output


@pytest.mark.parametrize(
    ("export", "tool"),
    [("surveymonkey_nps.csv", "SurveyMonkey"), ("qualtrics_nps.csv", "Qualtrics")],
)
def test_ray_refuses_exports_with_extra_header_rows(
    ray_session: Any, tmp_path: Path, export: str, tool: str
) -> None:
    """Ray's CSV reader takes one header row: the others would be tagged as answers."""
    source = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / export
    result = CliRunner().invoke(
        cli,
        ["tag", str(source), "-j", "ecommerce", "--engine", "ray", "--text-column",
         "Q2" if tool == "Qualtrics" else "What is the main reason for your score?",
         "--id-column", "ResponseId" if tool == "Qualtrics" else "Respondent ID",
         "--out", str(tmp_path / "o.csv")],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert f"is a {tool} export with more than one header row" in result.output


def test_ray_redacts_like_the_local_engine(
    ray_session: Any, write_jsonl: Any, tmp_path: Path, encoder: Any
) -> None:
    rows = [
        {"id": "p1", "text": "Card 4111 1111 1111 1111 charged twice, call +44 7700 900123."},
        {"id": "p2", "text": "Thanks to Priya Raman, mail priya@example.org"},
        {"id": "p3", "text": "The parcel came late."},
    ]
    source = write_jsonl(rows, name="pii.jsonl")
    runner = CliRunner()
    command = ["tag", str(source), "-j", "ecommerce", "--precision", "fp32", "--redact"]
    local = tmp_path / "local.jsonl"
    assert runner.invoke(cli, [*command, "--out", str(local)]).exit_code == 0
    ray_out = tmp_path / "ray.jsonl"
    result = runner.invoke(cli, [*command, "--engine", "ray", "--out", str(ray_out)])
    assert result.exit_code == 0, result.output
    expected = [row["text"] for chunk in open_table(local) for row in chunk.rows]
    assert [row["text"] for row in read_folder(ray_out)] == expected
    assert expected[0] == "Card [CARD] charged twice, call [PHONE]."
    assert expected[1] == "Thanks to [NAME], mail [EMAIL]"


def test_ray_refuses_workbooks_before_any_work(ray_session: Any, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["id", "text"])
    book.active.append([1, "my parcel never came"])
    source = tmp_path / "answers.xlsx"
    book.save(source)
    for extra in ([], ["--adapt"]):  # refused before --adapt trains anything
        result = CliRunner().invoke(
            cli,
            ["tag", str(source), "-j", "ecommerce", "--engine", "ray", *extra,
             "--out", str(tmp_path / "o.csv")],
        )  # fmt: skip
        assert result.exit_code == 1, result.output
        assert "--engine ray reads CSV, JSON Lines and Parquet" in result.output
