"""A real PostgreSQL restart under a running service: while the server is down and while
it comes back, every answer is 503 with Retry-After (never 500), and once it is up the
service answers as before without being restarted itself.

The shared stack's PostgreSQL is not ours to stop, so this test starts a private
cluster of its own (initdb on a fresh folder, a free port, loopback only) and runs the
hazards service on it as its own process, on the shared Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from crosscheck_platform.auth import Role
from crosscheck_platform.http.transient import RETRY_AFTER_SECONDS
from crosscheck_testing.auth import bearer
from crosscheck_testing.fixtures import new_namespace
from crosscheck_testing.infra import Infra
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

pytestmark = pytest.mark.infra

COUNTY, TOWNSHIP = "532327", "532327101"


def _server_bin() -> Path:
    chosen = os.environ.get("CROSSCHECK_PG_BIN")
    found = [Path(chosen)] if chosen else sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    for folder in reversed(found):
        if (folder / "initdb").exists():
            return folder
    pytest.fail("no PostgreSQL server binaries (set CROSSCHECK_PG_BIN)", pytrace=False)


class PrivatePostgres:
    def __init__(self, root: Path, port: int) -> None:
        self.bin = _server_bin()
        self.data = root / "data"
        self.log = root / "postgres.log"
        self.port = port
        self.url = f"postgresql://postgres@127.0.0.1:{port}/crosscheck"

    def _run(self, *argv: str) -> None:
        # initdb and postgres refuse to run as root: as the postgres user, then.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *argv], check=True, capture_output=True, cwd="/", timeout=120)

    def init(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "--no-sync")  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}"
        self._run(str(self.bin / "pg_ctl"), "start", "-D", str(self.data), "-l", str(self.log),
                  "-w", "-o", options)  # fmt: skip

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast", "-w")


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    # Not under pytest's tmp_path: the postgres user must be able to reach the folder.
    root = Path(tempfile.mkdtemp(prefix="crosscheck-pg-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    server = PrivatePostgres(root, free_port())
    server.init()
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already down
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert response.json()["error"]["code"] == "unavailable"


async def test_a_postgresql_restart_answers_503_then_recovers(
    infra: Infra, private_postgres: PrivatePostgres, tmp_path: Path
) -> None:
    admin = await asyncpg.connect(private_postgres.url.replace("/crosscheck", "/postgres"))
    await admin.execute("CREATE DATABASE crosscheck")
    await admin.close()
    namespace = new_namespace()
    port = free_port()
    env = service_env(infra, schema="hazards", namespace=namespace, port=port)
    env["CROSSCHECK_DATABASE_URL"] = private_postgres.url
    inspector = bearer(
        infra.issuer, Role.INSPECTOR, county=COUNTY, township=TOWNSHIP, staff_id="s-1"
    )
    command = ("/v1/hazards/h-1/notify", {"told_person_name": "王建国", "signed": True})
    read = "/v1/checklists/small_restaurant"
    with (tmp_path / "hazards.log").open("wb") as log:
        async with (
            service_process("crosscheck_hazards.main", env, port, stdout=log, stderr=log) as (
                base,
                process,
            ),
            httpx.AsyncClient(base_url=base, headers=inspector, timeout=30) as client,
        ):
            assert (await client.get(read)).status_code == 200
            assert (await client.post(command[0], json=command[1])).status_code == 404

            await asyncio.to_thread(private_postgres.stop)
            for _ in range(3):
                _unavailable(await client.get(read))
                _unavailable(await client.post(command[0], json=command[1]))
            assert (await client.get("/readyz")).status_code == 503

            # Coming back: each answer is 503 or the service's own, never a 500.
            restart = asyncio.create_task(asyncio.to_thread(private_postgres.start))
            seen: list[int] = []
            async with asyncio.timeout(60):
                while not (restart.done() and seen and seen[-1] == 200):
                    answer = await client.get(read)
                    seen.append(answer.status_code)
                    if answer.status_code != 200:
                        _unavailable(answer)
                    await asyncio.sleep(0.05)
            await restart
            assert (await client.post(command[0], json=command[1])).status_code == 404
            assert (await client.get("/readyz")).status_code == 200
            assert process.returncode is None, "the service kept running"
