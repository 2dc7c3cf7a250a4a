"""Every service and the console as their own processes on the real stack (own schemas,
own topic namespace), trusting the stack's Keycloak, with a township and logins made for
the test; and a browser (Playwright on Debian's Chromium) that reaches the console at the
address the provider's console client knows (127.0.0.1:8106), whatever port it listens on."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from crosscheck_platform.db import Database
from crosscheck_platform.identity import IdentityProvider
from crosscheck_platform.identity.users import RealmRole, UserSpec
from crosscheck_testing.infra import IdentityInfra, Infra
from crosscheck_testing.ports import free_port

SERVICES = ("registry", "rotation", "hazards", "notify", "ledgers")
PUBLIC = "http://127.0.0.1:8106"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str


@dataclass
class ConsoleStack:
    township: str
    county: str
    console_port: int
    urls: dict[str, str]
    identity: IdentityInfra
    logins: dict[str, Login] = field(default_factory=dict)

    def token(self, login: Login) -> str:
        answer = httpx.post(
            self.identity.issuer + "/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "crosscheck-cli",
                "username": login.username,
                "password": login.password,
            },
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])


async def _make_logins(identity: IdentityInfra, stack: ConsoleStack, ns: str) -> None:
    async with IdentityProvider(identity.settings) as idp:
        for role, name in (("township_admin", "测试乡安全办"), ("inspector", "测试检查员")):
            username = f"console-{role}-{ns}".replace("_", "-")
            user = await idp.save_user(
                UserSpec(
                    username=username,
                    role=RealmRole(role),
                    display_name=name,
                    county=stack.county,
                    township=stack.township,
                    staff_id=f"{ns}-s1" if role == "inspector" else None,
                )
            )
            password = secrets.token_urlsafe(16)
            await idp.set_password(user.id, password, temporary=False)
            stack.logins[role] = Login(username, password, role)


def add_login(
    stack: ConsoleStack,
    key: str,
    role: str,
    name: str,
    *,
    staff_id: str | None = None,
    village_id: str | None = None,
) -> Login:
    """One more login of the test's township (a staff member or a village committee of
    the imported inventory); it is deleted with the others when the stack stops."""

    async def make() -> Login:
        async with IdentityProvider(stack.identity.settings) as idp:
            username = f"console-{key}-{secrets.token_hex(4)}"
            user = await idp.save_user(
                UserSpec(
                    username=username,
                    role=RealmRole(role),
                    display_name=name,
                    county=stack.county,
                    township=stack.township,
                    staff_id=staff_id,
                    village_id=village_id,
                )
            )
            password = secrets.token_urlsafe(16)
            await idp.set_password(user.id, password, temporary=False)
            return Login(username, password, role)

    # Playwright's sync API may be running an event loop in this thread already.
    with ThreadPoolExecutor(1) as thread:
        login = thread.submit(asyncio.run, make()).result()
    stack.logins[key] = login
    return login


async def _forget_logins(identity: IdentityInfra, stack: ConsoleStack) -> None:
    async with IdentityProvider(identity.settings) as idp:
        for login in stack.logins.values():
            user = await idp.find_by_username(login.username)
            if user is not None:
                await idp.delete_user(user.id)


async def _drop_schemas(infra: Infra, ns: str) -> None:
    db = await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
    for name in SERVICES:
        await db.execute(f"DROP SCHEMA IF EXISTS {ns}_{name} CASCADE")
    await db.close()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300  # a loaded CI machine starts six processes slowly
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready:\n{log.read_text()[-3000:]}")


@contextmanager
def console_stack(
    infra: Infra, identity: IdentityInfra, ns: str, logs: Path
) -> Iterator[ConsoleStack]:
    ports = {name: free_port() for name in (*SERVICES, "console")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    # A township of its own (county 永仁县), so the test's logins list nothing else.
    stack = ConsoleStack(
        f"532327{secrets.randbelow(800) + 200:03d}", "532327", ports["console"], urls, identity
    )
    env = {
        **os.environ,
        "CROSSCHECK_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "CROSSCHECK_DATABASE_URL": infra.database_url,
        "CROSSCHECK_TOPIC_NAMESPACE": ns,
        "CROSSCHECK_OIDC_ISSUER": identity.issuer,
        "CROSSCHECK_OIDC_AUDIENCE": identity.audience,
        "CROSSCHECK_LOG_LEVEL": "WARNING",
        "CROSSCHECK_CONSOLE_PUBLIC_URL": PUBLIC,
        **{f"CROSSCHECK_CONSOLE_{name.upper()}_URL": urls[name] for name in SERVICES},
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        asyncio.run(_make_logins(identity, stack, ns))
        for name in SERVICES:  # as `./crosscheck up` does: the schemas migrated first
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "crosscheck_platform.migrations.cli",
                    name,
                    "--schema",
                    f"{ns}_{name}",
                ],
                env={**env, "CROSSCHECK_DB_SCHEMA": f"{ns}_{name}"},
                check=True,
            )
        for name, port in ports.items():
            log = logs / f"{name}.log"
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", f"crosscheck_{name}.main"],
                    env={
                        **env,
                        "CROSSCHECK_DB_SCHEMA": f"{ns}_{name}",
                        "CROSSCHECK_HTTP_PORT": str(port),
                    },
                    stdout=log.open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
        for (name, url), process in zip(urls.items(), processes, strict=True):
            _wait_ready(url, process, logs / f"{name}.log")
        yield stack
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        asyncio.run(_forget_logins(identity, stack))
        asyncio.run(_drop_schemas(infra, ns))
