"""Journeys as data: the typed model of a journey YAML file, its loader and its validation.

A journey is the list of steps a customer goes through, in order. Users own it: they pass a
bundled name (``ecommerce``) or a path to their own file. Validation reports every problem at
once, each naming the file, the step and what is wrong, because a user fixing a YAML file by
hand wants the whole list, not one error per run.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from steplens.pipeline.errors import JourneyError
from steplens.pipeline.paths import journeys_dir

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (about 10x faster), else the pure one."""

UNASSIGNED = "unassigned"
"""The reserved step id for text that names no step of the journey."""

STEP_ID_PATTERN = re.compile(r"^[a-z0-9_]+$")
JOURNEY_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
JOURNEY_SUFFIXES = (".yaml", ".yml")


class Step(BaseModel):
    """One step of a journey: what the customer is doing, and how they talk about it."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(description="Identifier: lowercase letters, digits and underscores.")
    name: str = Field(default="", description="Human name; defaults from the id.")
    description: str = Field(default="", description="What the step covers, for people and models.")
    examples: tuple[str, ...] = Field(default=(), description="Phrases customers use about it.")
    stage: str | None = Field(default=None, description="Optional roll-up group, e.g. purchase.")

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not value:
            raise ValueError("the id is empty")
        if value == UNASSIGNED:
            raise ValueError(f"'{UNASSIGNED}' is reserved for text that names no step")
        if not STEP_ID_PATTERN.match(value):
            bad = sorted({c for c in value if not re.match(r"[a-z0-9_]", c)})
            raise ValueError(
                f"id {value!r} may only use lowercase letters, digits and underscores "
                f"(found {', '.join(repr(c) for c in bad)})"
            )
        return value

    @field_validator("examples", mode="before")
    @classmethod
    def _check_examples(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError("examples must be a list of phrases, not a single string")
        if value is None:
            return ()
        return value

    @field_validator("examples")
    @classmethod
    def _drop_blank_examples(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for position, example in enumerate(value, start=1):
            if not example:
                raise ValueError(f"example {position} is empty")
        return value

    @model_validator(mode="after")
    def _default_name(self) -> Step:
        if not self.name:
            object.__setattr__(self, "name", self.id.replace("_", " ").capitalize())
        return self


class Journey(BaseModel):
    """A journey: a name, an optional description and its steps in journey order."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: str = Field(description="Identifier used by the CLI and the API.")
    description: str = ""
    steps: tuple[Step, ...] = Field(description="The steps, in the order customers meet them.")

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not JOURNEY_NAME_PATTERN.match(value):
            raise ValueError(
                f"name {value!r} may only use letters, digits, '-' and '_' (it is used in URLs)"
            )
        return value

    @field_validator("steps", mode="before")
    @classmethod
    def _check_step_list(cls, value: Any) -> Any:
        if value is None or (isinstance(value, list | tuple) and len(value) == 0):
            raise ValueError("the journey has no steps; list at least one")
        if isinstance(value, list | tuple):
            for position, step in enumerate(value):
                if step is None:
                    raise ValueError(f"step {position + 1} is empty (a '-' with nothing after it)")
        return value

    @field_validator("steps")
    @classmethod
    def _check_unique_ids(cls, steps: tuple[Step, ...]) -> tuple[Step, ...]:
        problems = duplicate_id_problems([step.id for step in steps])
        if problems:
            raise ValueError("; ".join(problems))
        return steps

    @property
    def step_ids(self) -> list[str]:
        """The step ids in journey order."""
        return [step.id for step in self.steps]

    def step(self, step_id: str) -> Step:
        """The step with this id; a JourneyError that lists the ids when there is none."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise JourneyError(
            f"journey {self.name!r} has no step {step_id!r}; its steps are: "
            + ", ".join(self.step_ids)
        )

    def stages(self) -> dict[str, list[str]]:
        """Step ids grouped by stage, in journey order; steps without a stage are left out."""
        grouped: dict[str, list[str]] = {}
        for step in self.steps:
            if step.stage:
                grouped.setdefault(step.stage, []).append(step.id)
        return grouped

    def advice(self) -> list[str]:
        """Things that are valid but will make classification weaker, worth telling the user."""
        notes = []
        for position, step in enumerate(self.steps, start=1):
            if not step.description and not step.examples:
                notes.append(
                    f"step {position} ({step.id!r}) has neither a description nor examples: "
                    "zero-shot classification will only have its name to go on"
                )
            elif len(step.examples) < 3:
                notes.append(
                    f"step {position} ({step.id!r}) has {len(step.examples)} example(s); "
                    "five or more realistic phrases make zero-shot classification more reliable"
                )
        return notes


def step_differences(expected: list[str], actual: list[str]) -> str:
    """How two step-id lists differ, in words, for mismatch errors."""
    ours, theirs = set(expected), set(actual)
    details = []
    if theirs - ours:
        details.append(f"steps only in the model: {', '.join(sorted(theirs - ours))}")
    if ours - theirs:
        details.append(f"steps only in the journey: {', '.join(sorted(ours - theirs))}")
    return "; ".join(details) or "the same steps in a different order"


@dataclass(frozen=True)
class JourneyInfo:
    """A bundled journey as listed by ``steplens journeys list``."""

    name: str
    path: Path
    steps: int
    description: str


def duplicate_id_problems(ids: Sequence[Any]) -> list[str]:
    """One sentence per step whose id an earlier step already uses (positions from 1)."""
    first_seen: dict[str, int] = {}
    problems = []
    for position, step_id in enumerate(ids, start=1):
        if not isinstance(step_id, str) or not step_id.strip():
            continue
        key = step_id.strip()
        if key in first_seen:
            problems.append(
                f"step {position} ({key!r}): duplicate id, already used by step {first_seen[key]}"
            )
        else:
            first_seen[key] = position
    return problems


def journey_from_dict(data: Any, source: str = "<journey>") -> Journey:
    """Validate already-parsed journey data (e.g. a JSON request body) into a Journey.

    ``source`` names where the data came from in error messages (a file path or a request).
    """
    if not isinstance(data, Mapping):
        raise JourneyError(
            f"{source}: a journey must be a mapping with 'name' and 'steps', "
            f"got {type(data).__name__}"
        )
    try:
        return Journey.model_validate(dict(data))
    except ValidationError as exc:
        problems = [_describe_error(error, data) for error in exc.errors()]
        # Pydantic checks the whole step list only once every step is valid, so a duplicate id
        # would go unreported beside another problem: look for it in the raw data too.
        steps = data.get("steps")
        if isinstance(steps, list):
            ids = [step.get("id") if isinstance(step, Mapping) else None for step in steps]
            problems += [p for p in duplicate_id_problems(ids) if p not in " ".join(problems)]
        raise JourneyError(_format_problems(source, problems)) from None


def load_journey(name_or_path: str | Path) -> Journey:
    """Load a bundled journey by name (``ecommerce``) or a journey YAML file by path."""
    path = resolve_journey_path(name_or_path)
    return _load_journey_file(path)


def resolve_journey_path(name_or_path: str | Path) -> Path:
    """The file behind a journey argument: an existing path, or a bundled journey's file."""
    candidate = Path(name_or_path)
    looks_like_path = (
        candidate.suffix.lower() in JOURNEY_SUFFIXES
        or len(candidate.parts) > 1
        or candidate.exists()
    )
    if looks_like_path:
        if not candidate.exists():
            raise JourneyError(f"journey file {str(candidate)!r} does not exist")
        if candidate.is_dir():
            raise JourneyError(f"journey path {str(candidate)!r} is a folder, not a YAML file")
        return candidate
    bundled = bundled_journey_paths()
    if str(name_or_path) in bundled:
        return bundled[str(name_or_path)]
    names = ", ".join(sorted(bundled)) or "(none found)"
    raise JourneyError(
        f"unknown journey {str(name_or_path)!r}: give a bundled name ({names}) "
        "or the path to a journey YAML file"
    )


def bundled_journey_paths() -> dict[str, Path]:
    """Bundled journey names mapped to their files, from data/journeys/."""
    folder = journeys_dir()
    if not folder.is_dir():
        return {}
    return {
        path.stem: path
        for path in sorted(folder.iterdir())
        if path.suffix.lower() in JOURNEY_SUFFIXES and path.is_file()
    }


def list_journeys() -> list[JourneyInfo]:
    """The bundled journeys, loaded and validated, in name order."""
    infos = []
    for name, path in bundled_journey_paths().items():
        journey = _load_journey_file(path)
        infos.append(JourneyInfo(name, path, len(journey.steps), journey.description))
    return infos


def _load_journey_file(path: Path) -> Journey:
    """Parse and validate one YAML file; errors name the file and, for syntax, the line.

    Parsed journeys are cached by file, modification time and size: the service resolves a
    journey on every request, and parsing YAML took most of a request's time; an edited file
    is read again.
    """
    try:
        stat = path.stat()
    except OSError as exc:
        raise JourneyError(f"{path}: cannot be read ({exc.strerror})") from None
    return _parse_journey_file(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _parse_journey_file(source: str, mtime_ns: int, size: int) -> Journey:
    del mtime_ns, size  # part of the cache key only
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise JourneyError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise JourneyError(f"{source}: cannot be read ({exc.strerror})") from None
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise JourneyError(f"{source}: not valid YAML: {yaml_problem(exc)}") from None
    if data is None:
        raise JourneyError(f"{source}: the file is empty; a journey needs 'name' and 'steps'")
    return journey_from_dict(data, source)


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error as one phrase with its line and column."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return str(problem)


def _describe_error(error: ErrorDetails, data: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence that names the step (by position and id) and field."""
    loc = list(error["loc"])
    message = _error_message(error)
    if loc[:1] == ["steps"] and len(loc) >= 2 and isinstance(loc[1], int):
        position = loc[1]
        where = f"step {position + 1}{_step_label(data, position)}"
        rest = [str(part) for part in loc[2:]]
        if error["type"] == "extra_forbidden":
            return (
                f"{where}: unknown key {rest[-1]!r}{_did_you_mean(rest[-1], Step)} "
                f"(allowed: {_allowed_keys(Step)})"
            )
        if error["type"] == "missing":
            return f"{where}: missing required key {rest[-1]!r}"
        if rest and rest[0] == "examples" and len(rest) > 1:
            return f"{where}: example {int(rest[1]) + 1}: {message}"
        return f"{where}: {'.'.join(rest) + ': ' if rest else ''}{message}"
    if loc == ["steps"] and error["type"] == "value_error":
        return message
    if error["type"] == "extra_forbidden":
        key = str(loc[-1])
        return (
            f"unknown top-level key {key!r}{_did_you_mean(key, Journey)} "
            f"(allowed: {_allowed_keys(Journey)})"
        )
    if error["type"] == "missing":
        return f"missing required key {'.'.join(str(p) for p in loc)!r}"
    field = ".".join(str(part) for part in loc)
    return f"{field}: {message}" if field else message


def _error_message(error: ErrorDetails) -> str:
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    if error["type"] in {"string_type", "tuple_type", "model_type", "dict_type"}:
        message = f"{message} (got {_type_name(error.get('input'))})"
    return message


def _step_label(data: Mapping[str, Any], position: int) -> str:
    steps = data.get("steps")
    if isinstance(steps, list) and position < len(steps) and isinstance(steps[position], Mapping):
        step_id = steps[position].get("id")
        if isinstance(step_id, str) and step_id:
            return f" ({step_id!r})"
    return ""


def _did_you_mean(key: str, model: type[BaseModel]) -> str:
    close = difflib.get_close_matches(key.lower(), list(model.model_fields), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _allowed_keys(model: type[BaseModel]) -> str:
    return ", ".join(model.model_fields)


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    names: dict[type, str] = {dict: "a mapping", list: "a list", str: "a string"}
    return names.get(type(value), type(value).__name__)


def _format_problems(source: str, problems: Iterable[str]) -> str:
    items = list(dict.fromkeys(problems))
    if len(items) == 1:
        return f"{source}: {items[0]}"
    listed = "\n".join(f"  - {item}" for item in items)
    return f"{source}: {len(items)} problems:\n{listed}"
