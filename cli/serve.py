"""`steplens serve`: run the HTTP service (uvicorn) with settings from STEPLENS_* variables."""

from __future__ import annotations

import ipaddress
import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import click

from steplens.pipeline.errors import SteplensError

if TYPE_CHECKING:
    from steplens.api.settings import Settings


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_models(settings: Settings) -> None:
    """Load the models before uvicorn runs: one that is missing or corrupt stops the start with
    one clear line (in this process, the loaded models are then reused).

    The loading runs in a thread that then ends: a thread that ran PyTorch and lives on keeps
    its own team of OpenMP threads, and with two teams on the cores a single text took about
    1.4 times as long in the thread that serves requests (docs/speed.md).
    """
    from steplens.api.models import TaggerPool

    pool = TaggerPool(settings.step_models, signals=settings.signals, precision=settings.precision)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="steplens-check") as thread:
        thread.submit(pool.check_models).result()  # re-raises here; the thread ends on exit


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
    help="Worker processes (each loads the models once and takes its share of the cores).",
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

    from steplens.api.settings import get_settings

    settings = get_settings()
    if not settings.api_keys and not is_loopback(host) and not insecure:
        raise SteplensError(
            f"refusing to listen on {host} without API keys: set STEPLENS_API_KEYS, listen on "
            "127.0.0.1, or pass --insecure"
        )
    check_models(settings)
    # Each worker process reads it (steplens.api.settings) to share the cores out among the workers.
    os.environ["STEPLENS_WORKERS"] = str(workers)
    uvicorn.run(
        "steplens.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        server_header=False,
    )
