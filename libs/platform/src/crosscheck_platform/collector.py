"""Pausing Python's cyclic garbage collector around allocation-heavy loops.

Decoding events allocates a few dozen short-lived objects each, while what is kept (a
batch's events, a rebuild's merged rows) piles up: the collector would walk the kept
objects again and again. Where nothing makes reference cycles worth collecting, memory
comes back by reference counting as usual and the collector can wait.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic garbage collection while this runs; the previous state restored after."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
