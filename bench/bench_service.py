"""Service latency and throughput: a real uvicorn process on loopback, a load generator beside it.

    python -m bench.bench_service [--seconds 20] [--clients 8] [--write-docs]

Three servers are started one after the other on the same machine: the defaults (one worker,
micro-batching on), 2 worker processes of one PyTorch thread each (``--workers 2``), and the
baseline with micro-batching off (``STEPLENS_BATCH_MAX_TEXTS=1``, one text per forward pass).
Against each:

- **sequential**: one client, one tweet-length text per request, ``--requests`` requests:
  p50/p99 latency (targets: p50 <= 30 ms, p99 <= 100 ms);
- **concurrent**: ``--clients`` clients, each sending single texts back to back for
  ``--seconds``: texts/s and errors (target: >= 150 texts/s, zero errors).

The load generator runs on the same 2 cores as the server, so the server gets less than the
whole machine; every configuration pays the same tax.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import httpx
import numpy as np

from bench.launch import peak_rss_mb, serve_process
from bench.report import DocsSection, Row, Table, target_note

SECTION = DocsSection(
    "service",
    "## Service: latency and throughput over HTTP\n\n"
    "Written by `python -m bench.bench_service --write-docs`: a real uvicorn process on loopback "
    "and a load generator on the same machine.",
    ("http",),
)
P50, P99, TEXTS_PER_S, ERRORS = "p50 ms", "p99 ms", "texts/s", "errors"
PEAK_MB = "server peak MB"
DEFAULTS, TWO_WORKERS, UNBATCHED = (
    "micro-batching on (defaults)",
    "2 workers, 1 PyTorch thread each",
    "micro-batching off (batch of 1)",
)
CONFIGS: dict[str, tuple[dict[str, str], int]] = {  # method: (environment, worker processes)
    DEFAULTS: ({}, 1),
    TWO_WORKERS: ({}, 2),
    UNBATCHED: ({"STEPLENS_BATCH_MAX_TEXTS": "1"}, 1),
}


@contextlib.contextmanager
def bench_server(
    env: Mapping[str, str], workers: int = 1
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A uvicorn process with ``env``, a scratch SQLite database and no per-caller rate limit
    (every client of a benchmark shares one address)."""
    with (
        tempfile.TemporaryDirectory() as folder,
        serve_process(
            {
                "STEPLENS_DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.db'}",
                "STEPLENS_RATE_LIMIT": "0",
                **env,
            },
            workers,
        ) as (url, server),
    ):
        yield url, server


def server_peak_mb(server: subprocess.Popen[bytes]) -> float:
    """Peak resident memory of the server: its own, plus its worker processes' when it has
    any (uvicorn's supervisor then only watches them)."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        children = []
    return peak_rss_mb(server.pid) + sum(peak_rss_mb(int(pid)) for pid in children)


def sequential(url: str, texts: Sequence[str], requests: int) -> dict[str, float]:
    """One client, one text per request: latency percentiles in ms."""
    latencies = []
    errors = 0
    with httpx.Client(base_url=url, timeout=30) as client:
        for text in texts[:10]:  # warm-up
            client.post("/v1/classify", json={"text": text})
        for i in range(requests):
            started = time.perf_counter()
            answer = client.post("/v1/classify", json={"text": texts[i % len(texts)]})
            latencies.append((time.perf_counter() - started) * 1000)
            errors += answer.status_code != 200
    return {
        P50: float(np.percentile(latencies, 50)),
        P99: float(np.percentile(latencies, 99)),
        ERRORS: float(errors),
    }


def concurrent(url: str, texts: Sequence[str], clients: int, seconds: float) -> dict[str, float]:
    """``clients`` threads sending single texts back to back: texts/s and errors."""
    done = [0] * clients
    failed = [0] * clients
    latencies: list[list[float]] = [[] for _ in range(clients)]
    stop = time.monotonic() + seconds

    def work(index: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            i = index
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    answer = client.post("/v1/classify", json={"text": texts[i % len(texts)]})
                    ok = answer.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies[index].append((time.perf_counter() - started) * 1000)
                done[index] += ok
                failed[index] += not ok
                i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = [x for row in latencies for x in row]
    return {
        TEXTS_PER_S: sum(done) / elapsed,
        P50: float(np.percentile(every, 50)),
        P99: float(np.percentile(every, 99)),
        ERRORS: float(sum(failed)),
    }


def run(seconds: float, clients: int, requests: int) -> Table:
    """Every configuration, sequential then concurrent."""
    from bench.bench_steps import load_sample, speed_comments

    texts = speed_comments(load_sample()[0], 2_000)
    table = Table(
        "http",
        "Service over HTTP: `POST /v1/classify`, one tweet-length text per request, "
        "uvicorn on loopback",
        (P50, P99, TEXTS_PER_S, ERRORS, PEAK_MB),
    )
    sequential_row: dict[str, dict[str, float]] = {}
    concurrent_row: dict[str, dict[str, float]] = {}
    for method, (overrides, workers) in CONFIGS.items():
        with bench_server(overrides, workers) as (url, server):
            started = time.perf_counter()
            sequential_row[method] = sequential(url, texts, requests)
            table.rows.append(
                Row(
                    f"sequential, {requests} requests",
                    method,
                    sequential_row[method],
                    time.perf_counter() - started,
                )
            )
            started = time.perf_counter()
            concurrent_row[method] = {
                **concurrent(url, texts, clients, seconds),
                PEAK_MB: server_peak_mb(server),
            }
            table.rows.append(
                Row(
                    f"{clients} concurrent clients, {seconds:.0f} s",
                    method,
                    concurrent_row[method],
                    time.perf_counter() - started,
                )
            )
    for method in (DEFAULTS, TWO_WORKERS):
        table.notes.append(
            f"{method}: "
            + target_note("sequential p50 ms", sequential_row[method][P50], 30.0, 1, at_most=True)
            + "; "
            + target_note("p99 ms", sequential_row[method][P99], 100.0, 1, at_most=True)
            + "; "
            + target_note(
                f"{clients} clients texts/s", concurrent_row[method][TEXTS_PER_S], 150.0, 0
            )
        )
    unbatched = concurrent_row[UNBATCHED][TEXTS_PER_S]
    table.notes += [
        f"micro-batching gives {concurrent_row[DEFAULTS][TEXTS_PER_S] / unbatched:.2f}x the "
        f"concurrent throughput of one text per pass (same server, same load); 2 workers give "
        f"{concurrent_row[TWO_WORKERS][TEXTS_PER_S] / concurrent_row[DEFAULTS][TEXTS_PER_S]:.2f}x "
        "that of 1",
        "the load generator shares the server's 2 cores; server peak MB is its VmHWM after the "
        "concurrent run (models loaded and warm; with workers, the sum over the processes)",
    ]
    return table


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark, print the table, optionally rewrite the docs section."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    SECTION.publish(run(args.seconds, args.clients, args.requests), write=args.write_docs)


if __name__ == "__main__":
    main(sys.argv[1:])
