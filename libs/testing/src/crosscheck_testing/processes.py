"""Services started as their own processes (`python -m crosscheck_<name>.main`), as
`./crosscheck up` starts them, for benchmarks and tests that need the real thing."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


def _listening_sockets(port: int) -> set[str]:
    """The inodes of the sockets listening on TCP `port` (this network namespace)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                inodes.add(fields[9])
    return inodes


def listens_on(pid: int, port: int) -> bool | None:
    """Whether process `pid` holds the socket listening on `port`; None where /proc
    does not say (not Linux)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return None
    inodes = _listening_sockets(port)
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            return True
    return False


async def wait_until_ready(
    base: str, process: asyncio.subprocess.Process, *, seconds: float = 180.0
) -> None:
    """Until `base`/readyz answers 200 from `process` itself. RuntimeError if the process
    ends first, or if `seconds` pass.

    A port picked free may be taken by another program before the service binds it
    (machines shared by several test runs): a 200 from the port then is that program's,
    and the service exits on its bind error. So the answer counts only once the process
    holds the listening socket."""
    port = urlsplit(base).port
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(int(seconds * 10)):
            try:
                if (await client.get("/readyz")).status_code == 200 and (
                    port is None or listens_on(process.pid, port) is not False
                ):
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
