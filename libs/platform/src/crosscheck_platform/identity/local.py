"""Development logins on the local provider, for scripts, benchmarks and the demo.

A script that acts as a township admin, a group leader or a county viewer gets a real
login for that principal: made (or brought up to date) through the admin API, signed in
with the password grant of the CLI client, so its token is the provider's own and every
service verifies it as it verifies a person's. Refused in production, where people sign
in as themselves and nobody mints logins for roles.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from crosscheck_platform.auth.principal import Principal
from crosscheck_platform.clock import Clock, system_clock
from crosscheck_platform.identity.provider import IdentityProvider
from crosscheck_platform.identity.settings import IdentitySettings
from crosscheck_platform.identity.tokens import TokenSet
from crosscheck_platform.identity.users import RealmRole, UserSpec

STACK_ENV_FILE = Path(__file__).resolve().parents[5] / "deploy" / ".state" / "env"
_RENEW_BEFORE = timedelta(seconds=60)
_UNSAFE = re.compile(r"[^a-z0-9._-]+")


class LocalAccountsRefused(RuntimeError):
    pass


def stack_environment(path: Path = STACK_ENV_FILE) -> dict[str, str]:
    """The process's environment over the local stack's env file (a checkout's
    deploy/.state/env), so tools work without `source`-ing it first."""
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.removeprefix("export ").strip()
            if "=" in line and not line.startswith("#"):
                name, _, value = line.partition("=")
                values[name.strip()] = value.strip().strip("'\"")
    return {**values, **os.environ}


def settings_from(environment: Mapping[str, str]) -> IdentitySettings:
    """The registry's client on the provider, from CROSSCHECK_OIDC_ISSUER and
    CROSSCHECK_IDP_CLIENT_ID/SECRET (the local stack writes them to deploy/.state/env)."""
    missing = [
        name
        for name in (
            "CROSSCHECK_OIDC_ISSUER",
            "CROSSCHECK_IDP_CLIENT_ID",
            "CROSSCHECK_IDP_CLIENT_SECRET",
        )
        if not environment.get(name)
    ]
    if missing:
        raise LocalAccountsRefused(
            f"{', '.join(missing)} not set: start the local stack (`deploy/stack up`) and "
            "`source deploy/.state/env`"
        )
    return IdentitySettings.from_issuer(
        environment["CROSSCHECK_OIDC_ISSUER"],
        client_id=environment["CROSSCHECK_IDP_CLIENT_ID"],
        client_secret=environment["CROSSCHECK_IDP_CLIENT_SECRET"],
        timeout_seconds=30.0,
    )


def username_for(principal: Principal) -> str:
    """One login per role and scope, e.g. `dev-group_leader-532327102-s017`."""
    scope = principal.staff_id or principal.village_id or ""
    parts = ["dev", principal.role.value, principal.township or principal.county, scope]
    return _UNSAFE.sub("-", "-".join(p for p in parts if p).lower())[:200]


class LocalAccounts:
    """`token(principal)`: an access token of the provider for that principal."""

    def __init__(
        self, provider: IdentityProvider, *, environment: str, clock: Clock = system_clock
    ) -> None:
        if environment == "production":
            raise LocalAccountsRefused(
                "development logins are not made in production: people sign in as themselves"
            )
        self._provider = provider
        self._clock = clock
        # One password per process: a login made by an earlier run gets this one.
        self._password = secrets.token_urlsafe(24)
        self._tokens: dict[str, TokenSet] = {}
        # Concurrent first calls for one principal make its login once, not twice.
        self._signing_in: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def token(self, principal: Principal) -> str:
        username = principal.username or username_for(principal)
        async with self._signing_in[username]:
            held = self._tokens.get(username)
            if held is None or held.expires_within(_RENEW_BEFORE, self._clock()):
                held = await self._sign_in(username, principal)
                self._tokens[username] = held
        return held.access_token

    async def _sign_in(self, username: str, principal: Principal) -> TokenSet:
        user = await self._provider.save_user(
            UserSpec(
                username=username,
                role=RealmRole(principal.role.value),
                display_name=principal.name,
                county=principal.county,
                township=principal.township,
                village_id=principal.village_id,
                staff_id=principal.staff_id,
            )
        )
        await self._provider.set_password(user.id, self._password, temporary=False)
        return await self._provider.password_grant(username, self._password)
