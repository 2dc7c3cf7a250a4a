"""Services started as their own processes (`python -m crosscheck_<name>.main`), as
`./crosscheck up` starts them, for benchmarks and tests that need the real thing."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx

from crosscheck_platform import migrations
from crosscheck_testing.infra import Infra


def service_env(
    infra: Infra, *, schema: str, namespace: str, port: int, **extra: str
) -> dict[str, str]:
    """This process's environment plus what a service reads at start: the stack, its
    own schema and topic namespace, the session's token issuer and its port; `extra` on top
    (e.g. CROSSCHECK_LOG_LEVEL="WARNING")."""
    return {
        **os.environ,
        "CROSSCHECK_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "CROSSCHECK_DATABASE_URL": infra.database_url,
        "CROSSCHECK_DB_SCHEMA": schema,
        "CROSSCHECK_TOPIC_NAMESPACE": namespace,
        "CROSSCHECK_OIDC_ISSUER": infra.issuer.url,
        "CROSSCHECK_OIDC_AUDIENCE": "crosscheck-api",
        "CROSSCHECK_HTTP_PORT": str(port),
        **extra,
    }


async def wait_until_ready(
    base: str, process: asyncio.subprocess.Process, *, seconds: float = 180.0
) -> None:
    """Until `base`/readyz answers 200. RuntimeError if the process ends first, or if
    `seconds` pass."""
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(int(seconds * 10)):
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            if process.returncode is not None:
                raise RuntimeError(
                    f"the service at {base} exited during start-up (code {process.returncode})"
                )
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the service at {base} was not ready within {seconds:g} s")


@asynccontextmanager
async def service_process(
    module: str, env: Mapping[str, str], port: int, *, migrate: bool = True, **streams: Any
) -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    """`python -m module` with `env`, serving on `port`: its base URL and process once it
    is ready; asked to stop (SIGTERM, then killed after 30 s) when the block ends.
    Its schema is migrated first, as `./crosscheck up` runs `crosscheck-migrate` before
    the services (`migrate=False` leaves it as it is). `streams` go to the process
    (stdout=..., stderr=...)."""
    service = module.removeprefix("crosscheck_").removesuffix(".main")
    if migrate:
        await migrations.migrate(
            env["CROSSCHECK_DATABASE_URL"], env.get("CROSSCHECK_DB_SCHEMA") or service, service
        )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, env=dict(env), **streams
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_until_ready(base, process)
        yield base, process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
