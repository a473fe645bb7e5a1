"""Run every benchmark, one after the other, each in a fresh interpreter; print their lines.

Run: `python -m benchmarks.run_all` (about 15 minutes on 2 cores). Fresh processes keep one
benchmark's memory and caches out of the next one's figures (peak RSS above all). Exit status:
the number of benchmarks that missed a target or failed.
"""

from __future__ import annotations

import subprocess
import sys

from benchmarks.common import REPO, machine

BENCHMARKS = (
    "bench_ingest",
    "bench_poll",
    "bench_aged",
    "bench_fanout",
    "bench_memory",
    "bench_latency",
    "bench_outlets",
    "bench_export",
)


def main() -> int:
    print(f"machine: {machine()}", flush=True)
    missed = 0
    for name in BENCHMARKS:
        done = subprocess.run(  # noqa: S603 - our own modules, fixed argument list
            [sys.executable, "-m", f"benchmarks.{name}"], cwd=REPO, check=False
        )
        if done.returncode != 0:
            missed += 1
            print(f"{name}: exit status {done.returncode}", flush=True)
    return missed


if __name__ == "__main__":
    raise SystemExit(main())
