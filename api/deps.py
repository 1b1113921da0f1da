"""Dependencies the routes declare with ``Annotated``: settings, store, models, the API key.

Tests swap any of them with ``app.dependency_overrides``.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from steplens.api.batcher import Lanes, MicroBatcher
from steplens.api.db.store import Store
from steplens.api.errors import NotFoundError, Unavailable
from steplens.api.limits import RateLimiter, retry_after
from steplens.api.models import Classified, TaggerPool
from steplens.api.settings import Settings, key_matches
from steplens.pipeline.journey import (
    Journey,
    bundled_journey_paths,
    journey_from_dict,
    load_journey,
)


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    """The database store (503 until it is connected)."""
    store: Store | None = getattr(request.app.state, "store", None)
    if store is None:
        raise Unavailable("the database is not connected yet")
    return store


def get_pool(request: Request) -> TaggerPool:
    """The loaded models (503 until they are)."""
    pool: TaggerPool | None = getattr(request.app.state, "pool", None)
    if pool is None:
        raise Unavailable("the models are still loading")
    return pool


def get_batcher(request: Request) -> MicroBatcher[Classified]:
    """The micro-batcher that runs model work off the event loop."""
    batcher: MicroBatcher[Classified] | None = getattr(request.app.state, "batcher", None)
    if batcher is None:
        raise Unavailable("the models are still loading")
    return batcher


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
PoolDep = Annotated[TaggerPool, Depends(get_pool)]
BatcherDep = Annotated["MicroBatcher[Classified]", Depends(get_batcher)]


def get_lanes(request: Request) -> Lanes[Classified]:
    """The short and long lanes model work is submitted to (see
    :class:`steplens.api.batcher.Lanes`)."""
    lanes: Lanes[Classified] | None = getattr(request.app.state, "lanes", None)
    if lanes is None:
        return Lanes(get_batcher(request))
    return lanes


LanesDep = Annotated["Lanes[Classified]", Depends(get_lanes)]

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: <API key>")


async def require_key(
    request: Request,
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> str:
    """The caller's key (checked in constant time) and its rate limit; 401 / 429 otherwise."""
    digests = request.app.state.key_digests
    if digests:
        candidate = bearer.credentials if bearer is not None else header
        if not candidate or not key_matches(candidate, digests):
            raise HTTPException(
                401,
                "missing or unknown API key (Authorization: Bearer or X-API-Key)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        # One bucket per key, named by a digest so the key itself is never kept or logged.
        caller = "key:" + hashlib.sha256(candidate.encode("utf-8", "replace")).hexdigest()[:16]
    else:
        caller = "host:" + (request.client.host if request.client else "unknown")
    limiter: RateLimiter = request.app.state.rate_limiter
    wait = limiter.check(caller)
    if wait > 0:
        raise HTTPException(
            429,
            f"rate limit of {settings.rate_limit} requests a minute reached",
            headers={"Retry-After": retry_after(wait)},
        )
    return caller


ApiKeyDep = Annotated[str, Depends(require_key)]


async def resolve_journey(name: str | None, settings: Settings, store: Store) -> Journey:
    """A journey stored with ``PUT /v1/journeys/{name}``, else a bundled one; 404 otherwise."""
    wanted = name or settings.default_journey
    stored = await asyncio.to_thread(store.get_journey, wanted)
    if stored is not None:
        return journey_from_dict(stored, f"stored journey {wanted!r}")
    bundled = bundled_journey_paths()
    if wanted in bundled:
        return load_journey(bundled[wanted])
    names = sorted(set(bundled) | set(await asyncio.to_thread(store.list_journeys)))
    raise NotFoundError(f"no journey {wanted!r}; known journeys: {', '.join(names)}")
