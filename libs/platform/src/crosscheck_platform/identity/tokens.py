"""Tokens from the provider's token endpoint: password, refresh and client credentials.

The password grant is for scripts and tests (client `crosscheck-cli`); people sign in
to the console with the authorization code flow instead. Refresh tokens are single use
in the crosscheck realm: keep the TokenSet a refresh returns, not the old one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from crosscheck_platform.clock import Clock, system_clock
from crosscheck_platform.identity._http import provider_says, send
from crosscheck_platform.identity.errors import IdentityRefused, LoginRefused

CLI_CLIENT_ID = "crosscheck-cli"


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    expires_at: datetime
    refresh_token: str | None = field(default=None, repr=False)
    # None when the provider gives the refresh token no expiry of its own.
    refresh_expires_at: datetime | None = None
    token_type: str = "Bearer"
    scope: str = ""
    id_token: str | None = field(default=None, repr=False)

    def expires_within(self, margin: timedelta, now: datetime) -> bool:
        return self.expires_at - margin <= now

    @classmethod
    def from_response(cls, body: dict[str, Any], asked_at: datetime) -> TokenSet:
        """From a token endpoint's JSON answer. Expiry counts from when we asked, so
        clock skew with the provider never makes a token look valid for longer."""
        refresh_in = int(body.get("refresh_expires_in") or 0)
        return cls(
            access_token=str(body["access_token"]),
            expires_at=asked_at + timedelta(seconds=int(body["expires_in"])),
            refresh_token=body.get("refresh_token"),
            refresh_expires_at=asked_at + timedelta(seconds=refresh_in) if refresh_in else None,
            token_type=str(body.get("token_type", "Bearer")),
            scope=str(body.get("scope", "")),
            id_token=body.get("id_token"),
        )


class TokenClient:
    """The token endpoint of one realm. `http` is borrowed, not closed here."""

    def __init__(self, token_url: str, http: httpx.AsyncClient, clock: Clock = system_clock):
        self._url = token_url
        self._http = http
        self._clock = clock

    async def password_grant(
        self, username: str, password: str, client_id: str = CLI_CLIENT_ID
    ) -> TokenSet:
        return await self._grant(
            {
                "grant_type": "password",
                "client_id": client_id,
                "username": username,
                "password": password,
                "scope": "openid",
            }
        )

    async def authorization_code(
        self, code: str, *, code_verifier: str, redirect_uri: str, client_id: str
    ) -> TokenSet:
        """The code a browser brought back from the provider's login page (PKCE)."""
        return await self._grant(
            {
                "grant_type": "authorization_code",
                "client_id": client_id,
                "code": code,
                "code_verifier": code_verifier,
                "redirect_uri": redirect_uri,
            }
        )

    async def refresh(self, refresh_token: str, client_id: str = CLI_CLIENT_ID) -> TokenSet:
        return await self._grant(
            {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": refresh_token}
        )

    async def client_credentials(self, client_id: str, client_secret: str) -> TokenSet:
        return await self._grant(
            {
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
            }
        )

    async def _grant(self, form: dict[str, str]) -> TokenSet:
        asked_at = self._clock()
        response = await send(self._http, "POST", self._url, data=form)
        if response.status_code == 200:
            return TokenSet.from_response(response.json(), asked_at)
        said = provider_says(response)
        # invalid_grant is the user's side (credentials, account state, used refresh
        # token); anything else (invalid_client, unauthorized_client) is ours.
        refused = LoginRefused if _oauth_error(response) == "invalid_grant" else IdentityRefused
        raise refused(provider_status=response.status_code, provider_error=said)


def _oauth_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error", "")) if isinstance(body, dict) else ""
