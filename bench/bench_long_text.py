"""Short requests while a long text is tagged: the service's second lane against one lane.

    python -m bench.bench_long_text [--rounds 5] [--chars 9800]

A 9,800-character comment (hundreds of clauses) takes a second or more to tag; in one lane,
every short request that arrives meanwhile waits for all of it. Two servers, one after the
other on the same machine: the defaults (texts over ``STEPLENS_LONG_TEXT_CHARS`` = 2,000 in a
lane of their own) and the baseline with one lane (``STEPLENS_LONG_TEXT_CHARS=0``). Each round
one client posts the long text while another sends tweet-length texts one at a time until the
long one is answered: the short requests' latency (p50, p95, max) and the long request's time.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Sequence

import httpx
import numpy as np

from bench.bench_service import bench_server
from bench.report import Row, Table, render

ONE_LANE, TWO_LANES = "one lane (STEPLENS_LONG_TEXT_CHARS=0)", "long-text lane (defaults)"
CONFIGS = {TWO_LANES: {}, ONE_LANE: {"STEPLENS_LONG_TEXT_CHARS": "0"}}
SHORT_P50, SHORT_P95, SHORT_MAX, LONG_S, SHORT_N = (
    "short p50 ms",
    "short p95 ms",
    "short max ms",
    "long text s",
    "short requests",
)


def long_text(comments: Sequence[str], chars: int) -> str:
    """Comments joined into one rant of ``chars`` characters."""
    return " ".join(comments)[:chars]


def one_round(url: str, long: str, shorts: Sequence[str]) -> tuple[list[float], float]:
    """Short-request latencies (ms) while the long text is tagged, and the long text's seconds."""
    finished = threading.Event()
    took: list[float] = []

    def post_long() -> None:
        with httpx.Client(base_url=url, timeout=120) as client:
            started = time.perf_counter()
            client.post("/v1/classify", json={"text": long})
            took.append(time.perf_counter() - started)
        finished.set()

    latencies = []
    thread = threading.Thread(target=post_long)
    with httpx.Client(base_url=url, timeout=120) as client:
        thread.start()
        time.sleep(0.05)  # the long text is in
        i = 0
        while not finished.is_set():
            started = time.perf_counter()
            client.post("/v1/classify", json={"text": shorts[i % len(shorts)]})
            latencies.append((time.perf_counter() - started) * 1000)
            i += 1
    thread.join()
    return latencies, took[0]


def run(rounds: int, chars: int) -> Table:
    """Both configurations, ``rounds`` rounds each."""
    from bench.bench_steps import load_sample, speed_comments

    comments = load_sample()[0]
    long = long_text([c for c in comments if c.strip()], chars)
    shorts = speed_comments(comments, 200)
    table = Table(
        "long",
        f"Short requests while a {len(long):,}-character text is tagged (`POST /v1/classify`)",
        (SHORT_P50, SHORT_P95, SHORT_MAX, LONG_S, SHORT_N),
    )
    for method, env in CONFIGS.items():
        with bench_server(env) as (url, _):
            with httpx.Client(base_url=url, timeout=120) as client:  # warm both lanes
                client.post("/v1/classify", json={"text": long})
                for text in shorts[:10]:
                    client.post("/v1/classify", json={"text": text})
            started = time.perf_counter()
            latencies: list[float] = []
            longs = []
            for _ in range(rounds):
                got, seconds = one_round(url, long, shorts)
                latencies += got
                longs.append(seconds)
            table.rows.append(
                Row(
                    f"{rounds} rounds",
                    method,
                    {
                        SHORT_P50: float(np.percentile(latencies, 50)),
                        SHORT_P95: float(np.percentile(latencies, 95)),
                        SHORT_MAX: float(np.max(latencies)),
                        LONG_S: float(np.median(longs)),
                        SHORT_N: float(len(latencies)),
                    },
                    time.perf_counter() - started,
                )
            )
    table.notes.append(
        "long text s: median over rounds; short requests: all sent during the long ones, one at "
        "a time; the load generator shares the server's 2 cores"
    )
    return table


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--chars", type=int, default=9800)
    args = parser.parse_args(argv)
    print("\n".join(render(run(args.rounds, args.chars))))


if __name__ == "__main__":
    main(sys.argv[1:])
