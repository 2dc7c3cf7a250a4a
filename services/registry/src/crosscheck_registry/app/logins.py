"""Logins for the township's people on the identity provider, following the roster.

The township admin gives a staff member or a village committee a login, resets its
password, disables and enables it; when a staff member is deactivated in the registry,
their login is disabled and their sessions ended (driven by the registry's own event, so
it holds whichever way the deactivation came: the API, an import, a replay).
The provider keeps the logins; the registry keeps no copy of them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.errors import NotFound, StateConflict, Unavailable
from crosscheck_platform.identity import IdentityProvider, IdentityUser, RealmRole, UserSpec
from crosscheck_registry.domain.logins import (
    LoginRole,
    StaffMember,
    VillageCommittee,
    checked_username,
    staff_login_role,
    village_login_name,
)


class LoginsUnavailable(Unavailable):
    """This registry was started without the identity provider's client settings."""

    code = "unavailable"
    message_key = "registry.login.unconfigured"


@dataclass(frozen=True)
class Login:
    username: str
    name: str
    role: str | None
    enabled: bool
    staff_id: str | None
    village_id: str | None
    must_change_password: bool
    # Only in the answer that made it: the provider keeps no readable copy.
    new_password: str | None = None

    @classmethod
    def of(cls, user: IdentityUser, new_password: str | None = None) -> Login:
        return cls(
            username=user.username,
            name=user.display_name,
            role=next((r.value for r in sorted(user.roles)), None),
            enabled=user.enabled,
            staff_id=user.staff_id,
            village_id=user.village_id,
            must_change_password="UPDATE_PASSWORD" in user.required_actions,
            new_password=new_password,
        )


@dataclass(frozen=True)
class PasswordChoice:
    """A password the admin typed, or None for one made here; temporary passwords must be
    changed at the first sign-in."""

    password: str | None = None
    temporary: bool = True


class Logins:
    def __init__(self, provider: IdentityProvider | None) -> None:
        self._provider = provider

    async def close(self) -> None:
        if self._provider is not None:
            await self._provider.aclose()

    @property
    def provider(self) -> IdentityProvider:
        if self._provider is None:
            raise LoginsUnavailable()
        return self._provider

    async def grant_to_staff(
        self,
        tenant: Tenant,
        staff: StaffMember,
        username: str,
        role: LoginRole | None,
        password: PasswordChoice,
    ) -> Login:
        spec = UserSpec(
            username=checked_username(username),
            role=RealmRole(staff_login_role(staff, role).value),
            display_name=staff.name,
            county=tenant.county,
            township=tenant.township,
            staff_id=staff.staff_id,
        )
        existing = await self.provider.find_by_staff_id(staff.staff_id)
        return await self._grant(existing, spec, password)

    async def grant_to_village(
        self, tenant: Tenant, village: VillageCommittee, username: str, password: PasswordChoice
    ) -> Login:
        spec = UserSpec(
            username=checked_username(username),
            role=RealmRole.VILLAGE_COMMITTEE,
            display_name=village_login_name(village),
            county=tenant.county,
            township=tenant.township,
            village_id=village.village_id,
        )
        existing = await self.provider.find_by_village_id(village.village_id)
        return await self._grant(existing, spec, password)

    async def _grant(
        self, existing: IdentityUser | None, spec: UserSpec, password: PasswordChoice
    ) -> Login:
        if existing is not None and existing.username != spec.username:
            # One login per person: renaming it would strand whoever signs in with it.
            raise StateConflict("registry.login.exists", username=existing.username)
        if existing is None:
            user = await self.provider.create_user(spec)
        else:
            user = await self.provider.update_user(existing.id, spec)
        made = await self._set_password(user, password)
        return Login.of(await self.provider.get_user(user.id), made)

    async def find(self, *, staff_id: str | None = None, village_id: str | None = None) -> Login:
        return Login.of(await self._user(staff_id=staff_id, village_id=village_id))

    async def reset_password(
        self,
        password: PasswordChoice,
        *,
        staff_id: str | None = None,
        village_id: str | None = None,
    ) -> Login:
        user = await self._user(staff_id=staff_id, village_id=village_id)
        made = await self._set_password(user, password)
        # A reset ends the sessions signed in with the old password.
        await self.provider.sign_out(user.id)
        return Login.of(await self.provider.get_user(user.id), made)

    async def set_enabled(
        self, enabled: bool, *, staff_id: str | None = None, village_id: str | None = None
    ) -> Login:
        user = await self._user(staff_id=staff_id, village_id=village_id)
        await self.provider.set_enabled(user.id, enabled)
        if not enabled:
            await self.provider.sign_out(user.id)
        return Login.of(await self.provider.get_user(user.id))

    async def of_township(self, tenant: Tenant) -> list[Login]:
        return [Login.of(user) for user in await self.provider.list_by_township(tenant.township)]

    async def staff_deactivated(self, staff_id: str) -> bool:
        """Disable the staff member's login, if they have one; whether one was disabled.
        Harmless to repeat (a redelivered event finds it disabled already)."""
        if self._provider is None:
            return False
        user = await self._provider.find_by_staff_id(staff_id)
        if user is None:
            return False
        if user.enabled:
            await self._provider.set_enabled(user.id, False)
        await self._provider.sign_out(user.id)
        return True

    async def _user(self, *, staff_id: str | None, village_id: str | None) -> IdentityUser:
        if staff_id is not None:
            user = await self.provider.find_by_staff_id(staff_id)
        else:
            assert village_id is not None
            user = await self.provider.find_by_village_id(village_id)
        if user is None:
            raise NotFound("registry.login.none")
        return user

    async def _set_password(self, user: IdentityUser, choice: PasswordChoice) -> str | None:
        made = None
        password = choice.password
        if password is None:
            made = password = _new_password()
        await self.provider.set_password(user.id, password, temporary=choice.temporary)
        return made


def _new_password() -> str:
    # 12 characters from a 57-letter alphabet without look-alikes: read out over a phone
    # or copied from a screen without mistaking 0 for O.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))
