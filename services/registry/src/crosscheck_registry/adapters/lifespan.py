"""Creating the read model's tables when the service starts."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from crosscheck_platform.http.runtime import ServiceRuntime
from crosscheck_registry.adapters.schema import READ_MODEL_DDL


@contextlib.asynccontextmanager
async def read_model(runtime: ServiceRuntime) -> AsyncIterator[None]:
    await runtime.database.migrate(READ_MODEL_DDL)
    yield
