"""Run every benchmark: ``python -m bench`` (``make bench``)."""

from __future__ import annotations

from bench import bench_io, bench_segment, bench_speed, bench_steps


def main() -> None:
    """Run the benchmarks in turn; each prints its own table."""
    bench_io.main([])
    bench_segment.main([])
    bench_steps.main([])
    bench_speed.main([])


if __name__ == "__main__":
    main()
