"""Every error is JSON that says what is wrong and where; nothing a client sends yields a 500.

``SteplensError`` subclasses map to status codes here, once: unknown things are 404, bad content
422, a database that is away 503 with ``Retry-After``. Anything else is a bug: it is logged with
its traceback and answered with a JSON 500 that leaks nothing.
"""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from steplens.pipeline.errors import SteplensError

logger = logging.getLogger(__name__)

RETRY_AFTER_S = 5


class NotFoundError(SteplensError):
    """A journey, model or item that does not exist."""


class Unavailable(SteplensError):
    """The service cannot answer now (database away, models not loaded); try again later."""


class Overloaded(Unavailable):
    """The model queue is full: try again after ``retry_after`` seconds (not logged one by one:
    under a flood that would be a second flood, in the logs)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def status_for(exc: SteplensError) -> int:
    """The HTTP status of a library error."""
    from steplens.api.db.store import NotFound, StoreUnavailable

    if isinstance(exc, StoreUnavailable | Unavailable):
        return 503
    if isinstance(exc, NotFoundError | NotFound):
        return 404
    return 422


def install_error_handlers(app: FastAPI) -> None:
    """JSON handlers for library errors, validation errors, HTTP errors and bugs."""

    @app.exception_handler(SteplensError)
    async def library_error(request: Request, exc: SteplensError) -> JSONResponse:
        status = status_for(exc)
        wait = exc.retry_after if isinstance(exc, Overloaded) else RETRY_AFTER_S
        headers = {"Retry-After": str(math.ceil(wait))} if status == 503 else None
        if status == 503 and not isinstance(exc, Overloaded):
            logger.warning("%s %s: %s", request.method, request.url.path, exc)
        return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": list(error.get("loc", ())), "msg": error.get("msg"), "type": error.get("type")}
            for error in exc.errors()
        ]
        return JSONResponse({"detail": details}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error; it has been logged"}, status_code=500)
