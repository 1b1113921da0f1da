"""``create_app()``: the steplens HTTP service (FastAPI).

Nothing happens at import. ``create_app(settings)`` wires routes, limits and error handlers;
the ``lifespan`` connects the database (Alembic migrations to head), loads the models once onto
``app.state`` and starts the micro-batcher. A registered step model that does not load stops
the start with a clear error instead of serving half the API.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException

from steplens.api.errors import install_error_handlers
from steplens.api.limits import BodySizeLimit, RateLimiter, ShedWhenSaturated
from steplens.api.settings import Settings, get_settings
from steplens.pipeline import __version__

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Connect the store, load the models, start the batcher; undo it all on shutdown."""
    from steplens.api.batcher import Lanes, MicroBatcher
    from steplens.api.db.store import Store, StoreUnavailable
    from steplens.api.models import TaggerPool
    from steplens.pipeline.journey import bundled_journey_paths, load_journey
    from steplens.pipeline.minilm import share_torch_threads

    settings: Settings = app.state.settings
    store = Store.connect(settings.database_url)
    try:
        await asyncio.to_thread(store.migrate)
        app.state.migrated = True
    except StoreUnavailable as exc:  # start anyway: /readyz says why and retries
        logger.error("database unavailable at start (%s); /readyz will retry", exc)
        app.state.migrated = False
    app.state.store = store

    if settings.redact:
        from steplens.pipeline.redact import build_redactor

        app.state.redactor = await asyncio.to_thread(build_redactor)
    else:
        app.state.redactor = None
        logger.warning("PII redaction is off (STEPLENS_REDACT=false): texts are stored as sent")
    pool = TaggerPool(
        settings.step_models,
        signals=settings.signals,
        precision=settings.precision,
        redactor=app.state.redactor,
    )
    batcher = MicroBatcher(
        pool.tag,
        window_s=settings.batch_window_ms / 1000,
        max_texts=settings.batch_max_texts,
        max_queued_texts=settings.queue_max_texts,
        max_wait_s=settings.queue_max_wait_s,
    )
    # Model work, loading and warm-up included, runs in the batcher's one worker thread: each
    # thread that runs PyTorch gets its own team of OpenMP threads, and with two teams on the
    # machine's cores tagging ran at 0.69x to 0.90x the speed (docs/speed.md). The exception is
    # the long-text lane (steplens.api.batcher.Lanes): texts over STEPLENS_LONG_TEXT_CHARS run in a
    # second thread, so while one runs two teams share the cores and short requests still flow.
    threads = await batcher.run_in_worker(
        share_torch_threads, settings.torch_threads, settings.workers
    )
    logger.info("PyTorch runs %d thread(s) in this worker", threads)
    await batcher.run_in_worker(pool.check_models)
    bundled = bundled_journey_paths()
    if settings.default_journey in bundled:  # warm the default tagger: first call is fast
        journey = load_journey(bundled[settings.default_journey])
        key = await batcher.run_in_worker(pool.key, journey, None)
        await batcher.run_in_worker(pool.redact, key, ["warm-up by Jane Doe"])
    batcher.start()
    long_batcher = None
    if settings.long_text_chars > 0:
        long_batcher = MicroBatcher(
            pool.tag,
            window_s=settings.batch_window_ms / 1000,
            max_texts=max(1, settings.batch_max_texts // 16),
            max_queued_texts=settings.queue_max_texts,
            max_wait_s=settings.queue_max_wait_s,
        )
        try:
            await long_batcher.run_in_worker(
                share_torch_threads, settings.torch_threads, settings.workers
            )
        except BaseException:
            await batcher.stop()
            await long_batcher.stop()
            raise
        long_batcher.start()
    app.state.pool = pool
    app.state.batcher = batcher
    app.state.lanes = Lanes(batcher, long_batcher, settings.long_text_chars)
    logger.info("steplens service ready (database: %s)", store.describe())
    try:
        yield
    finally:
        await batcher.stop()
        if long_batcher is not None:
            await long_batcher.stop()
        store.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application, configured by ``settings`` (default: the environment's)."""
    from steplens.api.deps import require_key
    from steplens.api.routes import classify, feedback, health, journeys, metrics, reports

    settings = settings or get_settings()
    app = FastAPI(
        title="steplens",
        version=__version__,
        summary="Step-level customer-journey analytics from open-text feedback.",
        lifespan=lifespan,
        docs_url=None,  # served below, behind the API key like everything but the probes
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.key_digests = settings.key_digests()
    app.state.rate_limiter = RateLimiter(settings.rate_limit)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(ShedWhenSaturated)  # outermost: refuses before the body is read
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    app.include_router(health.router)
    secured: dict[str, Any] = {"dependencies": [Depends(require_key)]}
    for module in (classify, journeys, feedback, metrics, reports):
        app.include_router(module.router, prefix="/v1", **secured)
    app.include_router(reports.page, **secured)
    _add_docs(app, secured)
    return app


DOCS_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png")
"""Swagger UI's files, served from the ``fastapi-offline`` package's copy of Swagger UI 5 (no
CDN: /docs works offline)."""


def _add_docs(app: FastAPI, secured: dict[str, Any]) -> None:
    """``/openapi.json`` and ``/docs`` (Swagger UI), with the same key check as the API; Swagger
    UI's own script and style are served from the installed package, not a CDN, so the page
    works on a machine with no network (they are public library files, served without a key)."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

    @app.get("/openapi.json", include_in_schema=False, **secured)
    async def openapi_schema() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, **secured)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="steplens API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon.png",
        )

    @app.get("/docs/assets/{name}", include_in_schema=False)
    async def swagger_asset(name: str) -> FileResponse:
        from importlib import resources

        if name not in DOCS_ASSETS:
            raise HTTPException(404, f"no docs asset {name!r}")
        return FileResponse(Path(str(resources.files("fastapi_offline") / "static" / name)))
