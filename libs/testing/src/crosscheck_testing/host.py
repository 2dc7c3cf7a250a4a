"""The host's page writeback, printed beside latency figures.

Commit latency on a machine shared by PostgreSQL and Kafka depends on when the kernel
writes dirty pages: with its defaults, PostgreSQL's newly extended table pages leave in
one burst every ~30 s and commits stall behind it (`deploy/stack tune-host` explains and
changes this). A latency figure means little without saying which case it was.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

_VM = Path("/proc/sys/vm")


def writeback() -> str:
    try:
        start_bytes = int((_VM / "dirty_background_bytes").read_text())
        start_ratio = int((_VM / "dirty_background_ratio").read_text())
        expire_cs = int((_VM / "dirty_expire_centisecs").read_text())
    except (OSError, ValueError):
        return "host writeback: unknown (no /proc/sys/vm)"
    start = (
        f"from {start_bytes // 1024} KiB dirty"
        if start_bytes
        else f"from {start_ratio} % of memory dirty (kernel default)"
    )
    return f"host writeback: background {start}, pages written at {expire_cs / 100:g} s old"


def settle() -> float:
    """Write every dirty page of the host to disk now; the seconds it took.

    A benchmark that has just written its input (a million records on Kafka's log, the
    tables of a rebuild) would otherwise have the kernel write them back ~30 s later,
    during whichever measurement runs then: such a burst takes seconds of CPU, and on
    two cores it lands on the side that uses both."""
    started = time.perf_counter()
    os.sync()
    return time.perf_counter() - started
