"""bf16 inference must not grow with the shapes it has seen (the service's memory under load)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from steplens.pipeline.onednn import native_bf16

# Encodes batches of every size and length, then prints how far resident memory moved (MB)
# after freed pages are handed back, which is what the service does every 20 batches.
PROBE = """
import ctypes, os, random, sys
from steplens.pipeline.minilm import base_encoder

def rss_mb():
    for line in open(f"/proc/{os.getpid()}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

encoder = base_encoder("bf16")
rng = random.Random(0)
words = "the order arrived late and support never answered my emails about the refund".split()

def batch():
    size = rng.randint(1, 16)
    return [" ".join(rng.choices(words, k=rng.randint(1, 60))) for _ in range(size)]

for _ in range(30):
    encoder.encode(batch())
start = rss_mb()
for _ in range(int(sys.argv[1])):
    encoder.encode(batch())
ctypes.CDLL("libc.so.6").malloc_trim(0)
print(rss_mb() - start)
"""


def growth_mb(batches: int, **env: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(batches)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    return float(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not native_bf16(),
    reason="needs Linux (/proc, glibc) and a CPU with native bf16",
)
def test_bf16_memory_stays_flat_across_batch_shapes() -> None:
    capped = growth_mb(200)  # steplens.pipeline.minilm caps ideep's primitive cache at 64 entries
    default = growth_mb(200, LRU_CACHE_CAPACITY="1024")  # PyTorch's own default
    assert capped < 20, f"resident memory grew {capped:.0f} MB over 200 batches"
    assert default > capped + 40, (capped, default)  # the probe does see the growth it guards
