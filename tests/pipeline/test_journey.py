"""Journeys: the bundled ones load and are rich enough; broken files get precise errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from steplens.pipeline.errors import JourneyError
from steplens.pipeline.journey import (
    UNASSIGNED,
    Journey,
    bundled_journey_paths,
    journey_from_dict,
    list_journeys,
    load_journey,
)

BUNDLED = ("ecommerce", "banking", "saas")


def write_yaml(tmp_path: Path, text: str, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_journeys_load_with_described_steps_and_examples(name: str) -> None:
    journey = load_journey(name)
    assert journey.name == name
    assert journey.description
    for step in journey.steps:
        assert step.description, step.id
        assert len(step.examples) >= 5, step.id
        assert step.stage, step.id
    assert journey.advice() == []


def test_bundled_journeys_cover_what_the_issue_asks() -> None:
    ecommerce = load_journey("ecommerce")
    assert len(ecommerce.steps) >= 9
    assert {"discovery", "checkout", "delivery", "returns", "customer_support"} <= set(
        ecommerce.step_ids
    )
    assert ecommerce.step_ids[0] == "discovery"
    banking = load_journey("banking")
    assert {"account_opening", "card_delivery", "top_up", "transfers", "account_closure"} <= set(
        banking.step_ids
    )
    saas = load_journey("saas")
    assert saas.step_ids[0] == "signup"
    assert "cancellation" in saas.step_ids


def test_list_journeys_names_all_bundled() -> None:
    names = [info.name for info in list_journeys()]
    assert names == sorted(BUNDLED)
    assert set(bundled_journey_paths()) == set(BUNDLED)


def test_examples_are_not_repeated_across_steps() -> None:
    for name in BUNDLED:
        seen: dict[str, str] = {}
        for step in load_journey(name).steps:
            for example in step.examples:
                key = example.lower().strip()
                assert key not in seen, f"{name}: {example!r} in {seen.get(key)} and {step.id}"
                seen[key] = step.id


def test_load_by_path_and_defaults(tmp_path: Path) -> None:
    path = write_yaml(
        tmp_path,
        "name: tiny\nsteps:\n  - id: sign_up\n  - id: pay\n    name: Paying\n    stage: purchase\n",
    )
    journey = load_journey(path)
    assert journey.step_ids == ["sign_up", "pay"]
    assert journey.step("sign_up").name == "Sign up"
    assert journey.step("pay").name == "Paying"
    assert journey.stages() == {"purchase": ["pay"]}
    assert journey.step("sign_up").examples == ()
    assert any("sign_up" in note for note in journey.advice())


def test_unknown_step_lookup_lists_the_steps() -> None:
    with pytest.raises(JourneyError, match="its steps are: discovery, product_info"):
        load_journey("ecommerce").step("teleport")


def test_unknown_bundled_name_lists_the_bundled_ones() -> None:
    with pytest.raises(JourneyError, match=r"unknown journey 'retail'.*banking, ecommerce, saas"):
        load_journey("retail")


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(JourneyError, match="does not exist"):
        load_journey(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (
            "name: j\nsteps:\n  - id: pay\n  - id: ship\n  - id: pay\n",
            r"step 3 \('pay'\): duplicate id, already used by step 1",
        ),
        ("name: j\nsteps:\n  - id: Check-Out\n", r"step 1 \('Check-Out'\).*'-'"),
        ("name: j\nsteps:\n  - id: unassigned\n", r"step 1 \('unassigned'\).*reserved"),
        ("name: j\nsteps: []\n", "has no steps"),
        ("name: j\n", "missing required key 'steps'"),
        ("name: j\nsteps:\n  - id: a\n  -\n", "step 2 is empty"),
        (
            "name: j\nsteps:\n  - id: a\n    colour: red\n",
            r"step 1 \('a'\): unknown key 'colour' \(allowed: id, name",
        ),
        ("name: j\nowner: me\nsteps:\n  - id: a\n", "unknown top-level key 'owner'"),
        ("name: j\nsteps:\n  - id: a\n    examples: just one\n", "list of phrases"),
        ("name: j\nsteps:\n  - name: No id\n", r"step 1: missing required key 'id'"),
        ("steps:\n  - id: a\n", "missing required key 'name'"),
        ("name: j\nsteps:\n  - id: a\n    examples: ['ok', '']\n", "example 2 is empty"),
        ("- just\n- a list\n", "must be a mapping"),
        ("", "the file is empty"),
        ("name: j\nsteps: [\n", r"not valid YAML: .* line \d+, column \d+"),
    ],
)
def test_invalid_journeys_name_file_step_and_problem(
    tmp_path: Path, yaml_text: str, expected: str
) -> None:
    path = write_yaml(tmp_path, yaml_text)
    with pytest.raises(JourneyError, match=expected) as info:
        load_journey(path)
    assert str(path) in str(info.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write_yaml(
        tmp_path,
        "name: j\nsteps:\n  - id: a\n    color: x\n  - id: B\n  - id: unassigned\n",
    )
    with pytest.raises(JourneyError) as info:
        load_journey(path)
    message = str(info.value)
    assert "3 problems" in message
    assert "'color'" in message and "'B'" in message and "reserved" in message


def test_journey_from_dict_for_api_bodies() -> None:
    journey = journey_from_dict({"name": "x", "steps": [{"id": "a", "examples": ["hi"]}]})
    assert isinstance(journey, Journey)
    with pytest.raises(JourneyError, match=r"<request>: .*duplicate id"):
        journey_from_dict({"name": "x", "steps": [{"id": "a"}, {"id": "a"}]}, "<request>")


def test_reserved_id_constant() -> None:
    assert UNASSIGNED == "unassigned"


def test_validation_reports_every_problem_and_suggests_keys(tmp_path: Path) -> None:
    path = tmp_path / "food.yaml"
    path.write_text(
        "name: food\nsteps:\n  - id: order\n    descripton: placing an order\n"
        "  - id: order\n  - id: pay\n    examples: 3\n",
        encoding="utf-8",
    )
    with pytest.raises(JourneyError) as error:
        load_journey(path)
    message = str(error.value)
    assert "3 problems" in message
    assert "unknown key 'descripton' (did you mean 'description'?)" in message
    assert "step 2 ('order'): duplicate id, already used by step 1" in message
    top = tmp_path / "top.yaml"
    top.write_text("nme: food\nsteps:\n  - id: a\n", encoding="utf-8")
    with pytest.raises(JourneyError, match="'nme' \\(did you mean 'name'\\?\\)"):
        load_journey(top)
