"""``/healthz`` (the process answers) and ``/readyz`` (models loaded and database reachable)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    """Always 200 while the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz", summary="Models loaded and database reachable")
async def readyz(request: Request) -> JSONResponse:
    """200 when requests can be served; 503 (with what is missing) otherwise."""
    state = request.app.state
    problems = []
    if getattr(state, "batcher", None) is None:
        problems.append("models are not loaded")
    store = getattr(state, "store", None)
    if store is None or not await asyncio.to_thread(store.ping):
        problems.append("the database does not answer")
    elif not getattr(state, "migrated", False):
        try:
            await asyncio.to_thread(store.migrate)
            state.migrated = True
        except Exception as exc:  # reported, retried on the next probe
            problems.append(f"database migrations failed: {exc}")
    if problems:
        return JSONResponse(
            {"status": "unavailable", "problems": problems},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    return JSONResponse({"status": "ready"})
