from __future__ import annotations

import asyncio

import pytest

from crosscheck_platform.concurrency import all_of


async def test_results_come_in_order() -> None:
    async def after(seconds: float, value: int) -> int:
        await asyncio.sleep(seconds)
        return value

    assert await all_of(after(0.02, 1), after(0.0, 2), after(0.01, 3)) == [1, 2, 3]


async def test_the_first_failure_is_raised_as_it_is_and_the_others_cancelled() -> None:
    cancelled = asyncio.Event()

    async def fail() -> int:
        raise LookupError("duplicate key")

    async def wait() -> int:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return 0

    with pytest.raises(LookupError, match="duplicate key"):
        await all_of(wait(), fail())
    assert cancelled.is_set()
