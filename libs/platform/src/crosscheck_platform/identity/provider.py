"""Logins on the identity provider, managed with the registry's service account.

This speaks Keycloak's Admin REST API (the local stack's provider, and the one a county
gets when it has none of its own). The service account's token (client credentials of
`crosscheck-registry`, which holds realm-management's manage-users, view-users and
query-users, nothing more) is kept until shortly before it expires.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import TracebackType
from typing import Any, Self

import httpx

from crosscheck_platform.clock import Clock, system_clock
from crosscheck_platform.identity._http import provider_says, send
from crosscheck_platform.identity.errors import (
    IdentityConflict,
    IdentityError,
    IdentityRefused,
    IdentityUserNotFound,
    PasswordRejected,
)
from crosscheck_platform.identity.settings import IdentitySettings
from crosscheck_platform.identity.tokens import CLI_CLIENT_ID, TokenClient, TokenSet
from crosscheck_platform.identity.users import IdentityUser, RealmRole, UserSpec

TOKEN_MARGIN = timedelta(seconds=30)
"""A cached service token is replaced this long before it expires, so a request never
leaves with a token that lapses on the way."""


class _ServiceToken:
    def __init__(self, tokens: TokenClient, settings: IdentitySettings, clock: Clock) -> None:
        self._tokens = tokens
        self._settings = settings
        self._clock = clock
        self._current: TokenSet | None = None
        # One fetch at a time: concurrent requests wait for it rather than each asking.
        self._lock = asyncio.Lock()

    async def bearer(self) -> str:
        async with self._lock:
            if self._current is None or self._current.expires_within(TOKEN_MARGIN, self._clock()):
                self._current = await self._tokens.client_credentials(
                    self._settings.client_id, self._settings.client_secret
                )
            return self._current.access_token

    def forget(self, token: str) -> None:
        if self._current is not None and self._current.access_token == token:
            self._current = None


class IdentityProvider:
    """Use as `async with IdentityProvider(settings) as idp:`, or call `aclose()`.
    An `http` client passed in is borrowed and left open."""

    def __init__(
        self,
        settings: IdentitySettings,
        *,
        http: httpx.AsyncClient | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.settings = settings
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=settings.timeout_seconds)
        self.tokens = TokenClient(settings.token_url, self._http, clock)
        self._service = _ServiceToken(self.tokens, settings, clock)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # ------------------------------------------------------------------ sign-in

    async def password_grant(
        self, username: str, password: str, client_id: str = CLI_CLIENT_ID
    ) -> TokenSet:
        return await self.tokens.password_grant(username, password, client_id)

    async def refresh(self, refresh_token: str, client_id: str = CLI_CLIENT_ID) -> TokenSet:
        return await self.tokens.refresh(refresh_token, client_id)

    # ------------------------------------------------------------------ users

    async def create_user(self, spec: UserSpec) -> IdentityUser:
        """IdentityConflict when the username (or e-mail) is taken."""
        response = await self._admin("POST", "/users", json=spec.apply_to({}))
        if response.status_code == 409:
            raise _conflict(response, spec.username)
        _require(response, 201)
        user_id = response.headers["location"].rstrip("/").rsplit("/", 1)[1]
        await self._set_role(user_id, spec.role)
        return await self.get_user(user_id)

    async def update_user(self, user_id: str, spec: UserSpec) -> IdentityUser:
        current = await self._representation(user_id)
        response = await self._admin("PUT", f"/users/{user_id}", json=spec.apply_to(current))
        if response.status_code == 409:
            raise _conflict(response, spec.username)
        _require(response, 204)
        await self._set_role(user_id, spec.role)
        return await self.get_user(user_id)

    async def save_user(self, spec: UserSpec) -> IdentityUser:
        """Create the login, or update the one with this username. IdentityConflict when
        that username belongs to another staff member (a phone number passed on)."""
        existing = await self.find_by_username(spec.username)
        if existing is None:
            return await self.create_user(spec)
        if existing.staff_id and spec.staff_id and existing.staff_id != spec.staff_id:
            raise IdentityConflict(username=spec.username)
        return await self.update_user(existing.id, spec)

    async def set_password(self, user_id: str, password: str, *, temporary: bool) -> None:
        """A temporary password must be changed at the next sign-in in the browser; until
        then the password grant refuses it."""
        response = await self._admin(
            "PUT",
            f"/users/{user_id}/reset-password",
            json={"type": "password", "value": password, "temporary": temporary},
        )
        if response.status_code == 400:
            raise PasswordRejected(provider_status=400, provider_error=provider_says(response))
        _require(response, 204)

    async def set_enabled(self, user_id: str, enabled: bool) -> None:
        current = await self._representation(user_id)
        response = await self._admin(
            "PUT", f"/users/{user_id}", json={**current, "enabled": enabled}
        )
        _require(response, 204)

    async def get_user(self, user_id: str) -> IdentityUser:
        rep = await self._representation(user_id)
        return IdentityUser.from_representation(rep, await self._roles(user_id))

    async def find_by_username(self, username: str) -> IdentityUser | None:
        wanted = username.strip().lower()
        found = await self._search({"username": wanted, "exact": "true"})
        matches = [rep for rep in found if rep["username"] == wanted]
        return await self._one(matches, username=wanted)

    async def find_by_staff_id(self, staff_id: str) -> IdentityUser | None:
        return await self._find_by_attribute("staff_id", staff_id)

    async def find_by_village_id(self, village_id: str) -> IdentityUser | None:
        return await self._find_by_attribute("village_id", village_id)

    async def list_by_township(self, township: str, *, limit: int = 1000) -> list[IdentityUser]:
        """Every login scoped to the township, by username."""
        _check_attribute_value(township)
        response = await self._admin(
            "GET",
            "/users",
            params={"q": f"township:{township}", "exact": "true", "max": str(limit)},
        )
        _require(response, 200)
        found = [
            r for r in response.json() if (r.get("attributes") or {}).get("township") == [township]
        ]
        users = [
            IdentityUser.from_representation(rep, await self._roles(rep["id"])) for rep in found
        ]
        return sorted(users, key=lambda user: user.username)

    async def sign_out(self, user_id: str) -> None:
        """End the user's sessions: their refresh tokens stop working at once."""
        _require(await self._admin("POST", f"/users/{user_id}/logout"), 204)

    async def delete_user(self, user_id: str) -> None:
        _require(await self._admin("DELETE", f"/users/{user_id}"), 204)

    # ------------------------------------------------------------------ plumbing

    async def _find_by_attribute(self, name: str, value: str) -> IdentityUser | None:
        _check_attribute_value(value)
        found = await self._search({"q": f"{name}:{value}", "exact": "true"})
        matches = [r for r in found if (r.get("attributes") or {}).get(name) == [value]]
        return await self._one(matches, **{name: value})

    async def _one(self, reps: list[dict[str, Any]], **wanted: str) -> IdentityUser | None:
        if len(reps) > 1:
            # Two logins for one person: provisioning went wrong somewhere; say so.
            raise IdentityConflict("identity.username_taken", username=str(wanted))
        if not reps:
            return None
        return IdentityUser.from_representation(reps[0], await self._roles(reps[0]["id"]))

    async def _search(self, params: dict[str, str]) -> list[dict[str, Any]]:
        response = await self._admin("GET", "/users", params={**params, "max": "10"})
        _require(response, 200)
        found: list[dict[str, Any]] = response.json()
        return found

    async def _representation(self, user_id: str) -> dict[str, Any]:
        response = await self._admin("GET", f"/users/{user_id}")
        _require(response, 200)
        rep: dict[str, Any] = response.json()
        # Read-only parts of the representation the PUT must not send back.
        for key in ("access", "userProfileMetadata", "createdTimestamp", "totp"):
            rep.pop(key, None)
        return rep

    async def _roles(self, user_id: str) -> frozenset[RealmRole]:
        response = await self._admin("GET", f"/users/{user_id}/role-mappings/realm")
        _require(response, 200)
        known = {role.value for role in RealmRole}
        return frozenset(RealmRole(r["name"]) for r in response.json() if r["name"] in known)

    async def _set_role(self, user_id: str, role: RealmRole) -> None:
        """Exactly `role` among the Crosscheck roles; other realm roles stay as they are."""
        mappings = f"/users/{user_id}/role-mappings/realm"
        response = await self._admin("GET", mappings)
        _require(response, 200)
        known = {r.value for r in RealmRole}
        mapped: list[dict[str, Any]] = response.json()
        extra = [r for r in mapped if r["name"] in known and r["name"] != role.value]
        if extra:
            _require(await self._admin("DELETE", mappings, json=extra), 204)
        if any(r["name"] == role.value for r in mapped):
            return
        # The available list, not GET /roles/{name}: that would need view-realm too.
        response = await self._admin("GET", f"{mappings}/available")
        _require(response, 200)
        wanted = [r for r in response.json() if r["name"] == role.value]
        if not wanted:
            raise IdentityError(provider_error=f"the realm has no role {role.value!r}")
        _require(await self._admin("POST", mappings, json=wanted), 204)

    async def _admin(self, method: str, path: str, **options: Any) -> httpx.Response:
        """An admin request with the service token; once more with a fresh token if the
        cached one was refused (revoked, or the provider's keys changed)."""
        url = f"{self.settings.admin_url}{path}"
        for attempt in (1, 2):
            token = await self._service.bearer()
            headers = {"Authorization": f"Bearer {token}"}
            response = await send(self._http, method, url, headers=headers, **options)
            if response.status_code != 401 or attempt == 2:
                break
            self._service.forget(token)
        if response.status_code == 404 and "/users/" in path:
            raise IdentityUserNotFound(provider_status=404, provider_error=provider_says(response))
        return response


def _check_attribute_value(value: str) -> None:
    # Keycloak's attribute query is `name:value name2:value2`: spaces and colons would
    # change the question.
    if not value or any(c.isspace() or c == ":" for c in value):
        raise ValueError(f"not an attribute value: {value!r}")


def _require(response: httpx.Response, status: int) -> None:
    if response.status_code != status:
        raise IdentityRefused(
            provider_status=response.status_code, provider_error=provider_says(response)
        )


def _conflict(response: httpx.Response, username: str) -> IdentityConflict:
    said = provider_says(response)
    key = "identity.email_taken" if "email" in said.lower() else "identity.username_taken"
    return IdentityConflict(key, provider_status=409, provider_error=said, username=username)
