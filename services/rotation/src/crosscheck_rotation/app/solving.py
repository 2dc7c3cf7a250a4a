"""Where the CP-SAT searches run: off the event loop, a few at a time.

A search is CPU work of its own threads (its lanes, domain.solver) and holds its model in
memory until it ends. Townships launching at once used to start one search each on the
default executor's threads: more searches than cores (none finishes sooner) and their
models all in memory together (the process's peak, bench/RESULTS.md). Here they queue
for CROSSCHECK_ROTATION_SOLVES slots (default 1: one search at a time already keeps the
two cores busy with its lanes), and after each one the C heap's free pages go back to
the system, so the process's resident memory falls back when the searches are done.

`warm_up`, a part of the running service, loads CP-SAT on the solver thread while the
service starts (its import is ~77 MiB and seconds of CPU, domain.cpsat), so a ready
service's first search does not wait for it.
"""

from __future__ import annotations

import asyncio
import contextvars
import ctypes
import ctypes.util
import functools
import importlib
import os
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

SOLVES = max(1, int(os.environ.get("CROSSCHECK_ROTATION_SOLVES", "1")))
_pool = ThreadPoolExecutor(max_workers=SOLVES, thread_name_prefix="cp-sat")


def _trimmer() -> Callable[[], object]:
    """glibc's malloc_trim(0); a no-op on other C libraries."""
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return lambda: None
    return functools.partial(trim, 0)


_trim = _trimmer()


def _then_trim(call: Callable[[], T]) -> T:
    try:
        return call()
    finally:
        _trim()


async def solve(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)` on a solver slot (in this context: its trace, its logs)."""
    context = contextvars.copy_context()
    call = functools.partial(context.run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_pool, _then_trim, call)


def _load_solver() -> None:
    importlib.import_module("ortools.sat.python.cp_model")


@asynccontextmanager
async def warm_up(_: Any) -> AsyncIterator[None]:
    """A runtime part: CP-SAT imported on the solver thread before the service is ready.
    Imported while the first search waits instead, it cost that search 20-30 s of wall
    time on a machine at a load of 20 (the campaign launch timed out)."""
    await asyncio.get_running_loop().run_in_executor(_pool, _load_solver)
    yield
