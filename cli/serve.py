"""`steplens serve`: run the HTTP service (uvicorn) with settings from STEPLENS_* variables."""

from __future__ import annotations

import ipaddress

import click

from pipeline.errors import SteplensError


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (each loads the models once).",
)
@click.option(
    "--insecure",
    is_flag=True,
    help="Listen beyond loopback without API keys (STEPLENS_API_KEYS unset).",
)
def serve_command(host: str, port: int, workers: int, insecure: bool) -> None:
    """Serve the API: POST /v1/classify, feedback, journeys, metrics and reports (docs at /docs).

    Settings come from STEPLENS_* environment variables (docs/service.md). With no API keys
    configured the server refuses to listen on anything but loopback unless --insecure.
    """
    import uvicorn

    from api.settings import get_settings

    settings = get_settings()
    if not settings.api_keys and not is_loopback(host) and not insecure:
        raise SteplensError(
            f"refusing to listen on {host} without API keys: set STEPLENS_API_KEYS, listen on "
            "127.0.0.1, or pass --insecure"
        )
    # Load the models here first: one that is missing or corrupt stops the start with one clear
    # line, before uvicorn runs (in this process, the loaded models are then reused).
    from api.models import TaggerPool

    TaggerPool(
        settings.step_models, signals=settings.signals, precision=settings.precision
    ).check_models()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        server_header=False,
    )
