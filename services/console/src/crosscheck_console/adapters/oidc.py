"""Sign-in with the authorization code flow and PKCE (S256) at the OpenID Connect
provider; the console is a public client and holds no client secret."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from crosscheck_platform.identity.tokens import TokenClient, TokenSet


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    end_session: str | None


@dataclass(frozen=True)
class LoginRequest:
    state: str
    verifier: str
    url: str


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class Provider:
    def __init__(self, issuer: str, client_id: str, redirect_uri: str, http: httpx.AsyncClient):
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self._http = http
        self._endpoints: Endpoints | None = None

    async def endpoints(self) -> Endpoints:
        if self._endpoints is None:
            answer = await self._http.get(f"{self.issuer}/.well-known/openid-configuration")
            answer.raise_for_status()
            d = answer.json()
            self._endpoints = Endpoints(
                d["authorization_endpoint"], d["token_endpoint"], d.get("end_session_endpoint")
            )
        return self._endpoints

    async def login(self, lang: str) -> LoginRequest:
        state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        query = urlencode(
            {
                "client_id": self.client_id,
                "response_type": "code",
                "scope": "openid",
                "redirect_uri": self.redirect_uri,
                "state": state,
                "code_challenge": challenge(verifier),
                "code_challenge_method": "S256",
                "ui_locales": "en" if lang == "en" else "zh-CN",
            }
        )
        return LoginRequest(state, verifier, f"{(await self.endpoints()).authorization}?{query}")

    async def exchange(self, code: str, verifier: str) -> TokenSet:
        tokens = TokenClient((await self.endpoints()).token, self._http)
        return await tokens.authorization_code(
            code, code_verifier=verifier, redirect_uri=self.redirect_uri, client_id=self.client_id
        )

    async def refresh(self, refresh_token: str) -> TokenSet:
        tokens = TokenClient((await self.endpoints()).token, self._http)
        return await tokens.refresh(refresh_token, client_id=self.client_id)

    async def logout_url(self, back_to: str) -> str | None:
        end = (await self.endpoints()).end_session
        if end is None:
            return None
        query = urlencode({"client_id": self.client_id, "post_logout_redirect_uri": back_to})
        return f"{end}?{query}"
