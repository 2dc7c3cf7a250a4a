"""Removing the logins a test gave at the stack's identity provider: the provider keeps
its users across test runs, and a township's list of logins should hold only its own."""

from __future__ import annotations

from crosscheck_platform.identity import IdentityProvider
from crosscheck_testing.infra import IdentityInfra


async def forget_logins(identity: IdentityInfra | None, township: str) -> None:
    if identity is None:
        return
    async with IdentityProvider(identity.settings) as idp:
        for login in await idp.list_by_township(township):
            user = await idp.find_by_username(login.username)
            if user is not None:
                await idp.delete_user(user.id)
