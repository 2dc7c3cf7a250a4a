"""What processes use, read from /proc: for the benchmarks' memory figures."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from pathlib import Path


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def tree_rss_mib(pid: int) -> float:
    """The process and its children (the rebuild's share processes)."""
    total = rss_mib(pid)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else ():
        with suppress(FileNotFoundError, ProcessLookupError):
            total += tree_rss_mib(int(child))
    return total


async def sample_peaks(pids: dict[str, int], peaks: dict[str, float], interval: float) -> None:
    """Until cancelled: the largest resident memory seen of each process tree."""
    while True:
        for name, pid in pids.items():
            with suppress(FileNotFoundError, ProcessLookupError):
                peaks[name] = max(peaks.get(name, 0.0), tree_rss_mib(pid))
        await asyncio.sleep(interval)
