"""``/v1/journeys``: the bundled journeys plus those stored with ``PUT``."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, HTTPException, Path, Request

from steplens.api.deps import SettingsDep, StoreDep, resolve_journey
from steplens.pipeline.errors import JourneyError
from steplens.pipeline.journey import bundled_journey_paths, journey_from_dict, yaml_problem

router = APIRouter(tags=["journeys"])

JourneyName = Annotated[str, Path(pattern=r"^[a-z0-9_][a-z0-9_-]{0,63}$")]


@router.get("/journeys", summary="List journeys")
async def list_journeys(store: StoreDep) -> dict[str, list[dict[str, str]]]:
    """Every journey a request may name: stored ones and bundled ones."""
    stored = await asyncio.to_thread(store.list_journeys)
    rows = [{"name": name, "source": "stored"} for name in stored]
    rows += [{"name": n, "source": "bundled"} for n in bundled_journey_paths() if n not in stored]
    return {"journeys": sorted(rows, key=lambda row: row["name"])}


@router.get("/journeys/{name}", summary="One journey")
async def get_journey(name: JourneyName, settings: SettingsDep, store: StoreDep) -> dict[str, Any]:
    """The journey's definition (the journey schema, as JSON)."""
    journey = await resolve_journey(name, settings, store)
    return journey.model_dump(mode="json")


YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
JOURNEY_BODY = {
    "requestBody": {
        "required": True,
        "description": "A journey in the journey schema, as JSON or as the YAML users write "
        "(Content-Type: application/yaml).",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}


@router.put("/journeys/{name}", summary="Create or replace a journey", openapi_extra=JOURNEY_BODY)
async def put_journey(name: JourneyName, store: StoreDep, request: Request) -> dict[str, Any]:
    """Validate and store a journey (JSON, or YAML with a YAML content type); its ``name`` must
    match the path."""
    definition = parse_journey_body(await request.body(), request.headers.get("content-type"))
    journey = journey_from_dict({"name": name, **definition}, f"journey {name!r}")
    if journey.name != name:
        raise JourneyError(f"the body names journey {journey.name!r} but the path says {name!r}")
    replaced = await asyncio.to_thread(store.put_journey, name, journey.model_dump(mode="json"))
    return {"name": name, "replaced": replaced, "steps": journey.step_ids}


def parse_journey_body(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The body as a mapping: YAML for a YAML content type, else JSON (the default)."""
    kind = (content_type or "application/json").split(";")[0].strip().lower()
    if kind not in YAML_TYPES and kind != "application/json":
        raise HTTPException(
            status_code=415,
            detail=f"unsupported content type {kind!r}: send application/json or application/yaml",
        )
    try:
        text = body.decode("utf-8")
        data = yaml.safe_load(text) if kind in YAML_TYPES else json.loads(text or "null")
    except UnicodeDecodeError:
        raise JourneyError("the journey is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise JourneyError(f"the body is not valid JSON: {exc}") from None
    except yaml.YAMLError as exc:
        raise JourneyError(f"the body is not valid YAML: {yaml_problem(exc)}") from None
    if not isinstance(data, dict):
        raise JourneyError(f"a journey must be a mapping with 'steps', got {type(data).__name__}")
    return data
