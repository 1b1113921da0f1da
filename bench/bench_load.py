"""The service under sustained load and under a flood: no 5xx, flat memory, fast refusals.

    python -m bench.bench_load [--seconds 60] [--clients 16] [--flood-seconds 15] [--write-docs]

A real uvicorn process on loopback (SQLite store, defaults but for the per-caller rate limit,
which would otherwise answer most of one host's requests with 429) and a load generator of
bounded request loops that stop by themselves:

- **sustained**: ``--clients`` clients for ``--seconds``, a mix of single-text classify calls
  (80%), 8-text classify calls (15%) and 4-item feedback ingests (5%, written to the database).
  Runs ``--warmup`` seconds of the same load first (its own row: caches fill and the heap
  reaches its working size there), then reports answers by status, latency, and the server's
  resident memory at the start and end of the sustained phase and every 10 s (target: zero
  5xx, memory flat).
- **baseline**: the warm-up and sustained phases again against a second server with PyTorch's
  own size for ideep's primitive cache (``LRU_CACHE_CAPACITY=1024``; see ``pipeline/minilm.py``).
- **flood**: 4x the clients sending 64-text classify calls back to back for ``--flood-seconds``,
  far past what 2 cores can tag. The server must refuse what it cannot serve in time (503 with
  ``Retry-After``, from the micro-batcher's queue limits) quickly, never time out a client, and
  never answer 500.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench.bench_service import bench_server
from bench.launch import peak_rss_mb
from bench.report import DocsSection, Row, Table

SECTION = DocsSection(
    "load",
    "## Service under sustained load and a flood\n\n"
    "Written by `python -m bench.bench_load --write-docs`: a real uvicorn process on loopback, "
    "a load generator of bounded request loops on the same 2 cores.",
    ("load",),
)
REQUESTS, OK, REFUSED, ERRORS_5XX, FAILED = "requests", "2xx", "429/503", "other 5xx", "no answer"
P50, P99, REFUSAL_P99 = "p50 ms", "p99 ms", "refusal p99 ms"
RSS_START, RSS_END = "RSS start MB", "RSS end MB"
SAMPLES = "memory every 10 s"
CLIENT_TIMEOUT_S = 30.0


@dataclass
class Tally:
    """What the clients saw."""

    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    refusal_latencies: list[float] = field(default_factory=list)
    missing_retry_after: int = 0
    failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int | None, ms: float, retry_after: str | None) -> None:
        with self.lock:
            if status is None:
                self.failed += 1
                return
            self.statuses[status] += 1
            self.latencies.append(ms)
            if status in (429, 503):
                self.refusal_latencies.append(ms)
                self.missing_retry_after += not retry_after

    def metrics(self) -> dict[str, float]:
        total = sum(self.statuses.values()) + self.failed
        ok = sum(n for s, n in self.statuses.items() if 200 <= s < 300)
        refused = self.statuses[429] + self.statuses[503]
        other = sum(n for s, n in self.statuses.items() if s >= 500 and s != 503)
        return {
            REQUESTS: float(total),
            OK: float(ok),
            REFUSED: float(refused),
            ERRORS_5XX: float(other),
            FAILED: float(self.failed),
            P50: float(np.percentile(self.latencies, 50)) if self.latencies else float("nan"),
            P99: float(np.percentile(self.latencies, 99)) if self.latencies else float("nan"),
            REFUSAL_P99: (
                float(np.percentile(self.refusal_latencies, 99))
                if self.refusal_latencies
                else float("nan")
            ),
        }


def rss_mb(pid: int) -> float:
    """A process's resident memory now (Linux ``VmRSS``), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def drive(url: str, texts: Sequence[str], clients: int, seconds: float, *, flood: bool) -> Tally:
    """``clients`` threads, each looping until ``seconds`` have passed."""
    tally = Tally()
    stop = time.monotonic() + seconds

    def work(index: int) -> None:
        rng = random.Random(index)
        with httpx.Client(base_url=url, timeout=CLIENT_TIMEOUT_S) as client:
            n = 0
            while time.monotonic() < stop:
                n += 1
                roll = rng.random()
                request: tuple[str, dict[str, Any]]
                if flood:
                    request = ("/v1/classify", {"texts": rng.sample(list(texts), 64)})
                elif roll < 0.80:
                    request = ("/v1/classify", {"text": texts[rng.randrange(len(texts))]})
                elif roll < 0.95:
                    request = ("/v1/classify", {"texts": rng.sample(list(texts), 8)})
                else:
                    items = [
                        {"id": f"c{index}-{n}-{k}", "text": texts[rng.randrange(len(texts))]}
                        for k in range(4)
                    ]
                    request = ("/v1/feedback", {"items": items})
                started = time.perf_counter()
                try:
                    answer = client.post(request[0], json=request[1])
                    status: int | None = answer.status_code
                    retry_after = answer.headers.get("Retry-After")
                except httpx.HTTPError:
                    status, retry_after = None, None
                tally.add(status, (time.perf_counter() - started) * 1000, retry_after)
                if status in (429, 503) and not flood:
                    time.sleep(0.05)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def sampled_drive(
    url: str, texts: Sequence[str], clients: int, seconds: float, pid: int
) -> tuple[Tally, float, list[float]]:
    """Sustained load for ``seconds``: what the clients saw, the server's memory before, and
    its memory every 10 s while the load ran."""
    start_rss = rss_mb(pid)
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(10.0):
            samples.append(rss_mb(pid))

    monitor = threading.Thread(target=sample, daemon=True)
    monitor.start()
    tally = drive(url, texts, clients, seconds, flood=False)
    done.set()
    monitor.join()
    return tally, start_rss, samples


def record(
    table: Table,
    setting: str,
    method: str,
    tally: Tally,
    rss_start: float,
    rss_end: float,
    started: float,
) -> dict[str, Any]:
    """One phase's row: what the clients saw and the server's memory before and after."""
    metrics = {**tally.metrics(), RSS_START: rss_start, RSS_END: rss_end}
    table.rows.append(Row(setting, method, metrics, time.perf_counter() - started))
    print(f"  {setting}: {metrics}", file=sys.stderr)
    return dict(metrics)


# The baseline: ideep's primitive cache at PyTorch's default size instead of the 64 entries
# pipeline/minilm.py sets (the cause of the memory growth this benchmark found).
HEAP_CONFIGS = {
    "defaults": {},
    "ideep cache at PyTorch's default, 1,024": {"LRU_CACHE_CAPACITY": "1024"},
}


def run(seconds: float, clients: int, flood_seconds: float, warmup: float = 60.0) -> Table:
    """A warm-up, sustained load, then a flood, against a server with the defaults; then the
    warm-up and sustained load again against the baseline configuration."""
    from bench.bench_steps import load_sample, speed_comments

    texts = speed_comments(load_sample()[0], 2_000)
    table = Table(
        "load",
        "Service under load: uvicorn on loopback, SQLite store, default queue limits",
        (REQUESTS, OK, REFUSED, ERRORS_5XX, FAILED, P50, P99, REFUSAL_P99, RSS_START, RSS_END),
    )
    for config, env in HEAP_CONFIGS.items():
        with bench_server(env) as (url, server):
            idle = rss_mb(server.pid)
            phases: dict[str, Any] = {}
            for name, length in (("warm-up", warmup), ("sustained", seconds)):
                started = time.perf_counter()
                tally, start_rss, samples = sampled_drive(url, texts, clients, length, server.pid)
                setting = f"{config}: {name}, {clients} clients, {length:.0f} s"
                phases[name] = record(
                    table,
                    setting,
                    "mixed classify (1 and 8 texts) and ingest",
                    tally,
                    start_rss,
                    rss_mb(server.pid),
                    started,
                )
                phases[name][SAMPLES] = samples
            if not env:
                started = time.perf_counter()
                flood_start_rss = rss_mb(server.pid)
                flood = drive(url, texts, clients * 4, flood_seconds, flood=True)
                phases["flood"] = record(
                    table,
                    f"{config}: flood, {clients * 4} clients, {flood_seconds:.0f} s",
                    "64-text classify calls back to back",
                    flood,
                    flood_start_rss,
                    rss_mb(server.pid),
                    started,
                )
                phases["flood"]["missing_retry_after"] = flood.missing_retry_after
            peak = peak_rss_mb(server.pid)
        table.notes += memory_notes(config, idle, phases, peak)
        if "flood" in phases:
            table.notes.append(flood_note(phases["flood"], flood_seconds))
    table.notes.append(
        "the per-caller rate limit (429) is off here: all clients share one address; it is "
        "tested in tests/api/test_app.py"
    )
    return table


def memory_notes(config: str, idle: float, phases: dict[str, Any], peak: float) -> list[str]:
    """The server's memory through the warm-up and the sustained phase, and the 5xx count."""
    warm, sustained = phases["warm-up"], phases["sustained"]
    growth = 100 * (sustained[RSS_END] - sustained[RSS_START]) / sustained[RSS_START]

    def series(values: list[float]) -> str:
        return ", ".join(f"{mb:.0f}" for mb in values)

    return [
        f"{config}: server memory {idle:.0f} MB idle after start; warm-up every 10 s: "
        f"{series(warm[SAMPLES])} MB; sustained {sustained[RSS_START]:.0f} -> "
        f"{sustained[RSS_END]:.0f} MB ({growth:+.1f}%), every 10 s: "
        f"{series(sustained[SAMPLES])} MB; peak {peak:.0f} MB; "
        f"{warm[ERRORS_5XX] + sustained[ERRORS_5XX]:.0f} 5xx answers and "
        f"{warm[FAILED] + sustained[FAILED]:.0f} without an answer (target: zero)"
    ]


def flood_note(flood: dict[str, Any], seconds: float) -> str:
    """What the flood's clients saw."""
    return (
        f"flood: {flood[REFUSED]:.0f} of {flood[REQUESTS]:.0f} calls refused with 503, p99 "
        f"{flood[REFUSAL_P99]:.0f} ms to refuse; {flood[ERRORS_5XX]:.0f} other 5xx, "
        f"{flood[FAILED]:.0f} client timeouts ({CLIENT_TIMEOUT_S:.0f} s); every refusal carried "
        f"Retry-After: {'yes' if flood['missing_retry_after'] == 0 else 'NO'}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Run and print the table; optionally write it to docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--flood-seconds", type=float, default=15.0)
    parser.add_argument(
        "--warmup",
        type=float,
        default=60.0,
        help="seconds of the same load before the sustained phase (reported as its own row)",
    )
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    table = run(args.seconds, args.clients, args.flood_seconds, args.warmup)
    SECTION.publish(table, write=args.write_docs)


if __name__ == "__main__":
    main(sys.argv[1:])
