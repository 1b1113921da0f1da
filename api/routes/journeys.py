"""``/v1/journeys``: the bundled journeys plus those stored with ``PUT``."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path

from api.deps import SettingsDep, StoreDep, resolve_journey
from pipeline.errors import JourneyError
from pipeline.journey import bundled_journey_paths, journey_from_dict

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


@router.put("/journeys/{name}", summary="Create or replace a journey")
async def put_journey(
    name: JourneyName,
    store: StoreDep,
    definition: Annotated[dict[str, Any], Body(description="A journey in the journey schema.")],
) -> dict[str, Any]:
    """Validate and store a journey; its ``name`` must match the path."""
    journey = journey_from_dict({"name": name, **definition}, f"journey {name!r}")
    if journey.name != name:
        raise JourneyError(f"the body names journey {journey.name!r} but the path says {name!r}")
    replaced = await asyncio.to_thread(store.put_journey, name, journey.model_dump(mode="json"))
    return {"name": name, "replaced": replaced, "steps": journey.step_ids}
