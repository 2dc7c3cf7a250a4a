"""Running a few coroutines at once, all or none."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


async def all_of(*coroutines: Coroutine[Any, Any, T]) -> list[T]:
    """Run `coroutines` at once and return their results in order. When one fails the
    others are cancelled and its error is raised as it is, not in an ExceptionGroup:
    the first failure says why."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(coroutine) for coroutine in coroutines]
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return [task.result() for task in tasks]
