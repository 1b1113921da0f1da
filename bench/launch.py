"""Run the service in a child process (uvicorn on a free loopback port) for benchmarks and tests.

A real process, not an in-process client: what a load generator or a fuzzer talks to is then
exactly what ``steplens serve`` runs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from steplens.pipeline.paths import project_root

READY_TIMEOUT_S = 180.0


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_in_subprocess(env: Mapping[str, str]) -> Iterator[str]:
    """Serve ``create_app`` with ``env`` added to this environment; yields the base URL once
    ``/readyz`` answers 200, and stops the process when the block ends."""
    with serve_process(env) as (url, _):
        yield url


def peak_rss_mb(pid: int) -> float:
    """A running process's peak resident memory so far (Linux ``VmHWM``), in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return float("nan")
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def serve_process(
    env: Mapping[str, str], workers: int = 1
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """:func:`serve_in_subprocess`, yielding the server process too (for its memory)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "steplens.api.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        *(["--workers", str(workers)] if workers > 1 else []),
    ]
    full_env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "STEPLENS_WORKERS": str(workers),  # as `steplens serve --workers` sets it
        **env,
    }
    process = subprocess.Popen(command, env=full_env, cwd=project_root())
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with status {process.returncode}")
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server was not ready within {READY_TIMEOUT_S:.0f} s")
            time.sleep(0.5)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
