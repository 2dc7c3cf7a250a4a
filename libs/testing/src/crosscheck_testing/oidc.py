"""Signing in as a person would, for tests: the authorization code flow with PKCE
through the provider's own login form, without a browser.

Keycloak marks its session cookies Secure. Browsers send those to http://127.0.0.1
(a secure context); httpx does not, so they are sent here by hand.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx

from crosscheck_platform.clock import system_clock
from crosscheck_platform.identity import TokenSet

_LOGIN_FORM = re.compile(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"')


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def authorization_request(
    http: httpx.AsyncClient, issuer: str, client_id: str, redirect_uri: str, **extra: str
) -> httpx.Response:
    """The first step of a browser sign-in, answered as is (no redirects followed)."""
    params = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": "openid",
        "state": secrets.token_urlsafe(8),
        "ui_locales": "en",
        **extra,
    }
    return await http.get(
        f"{issuer}/protocol/openid-connect/auth", params=params, follow_redirects=False
    )


async def browser_sign_in(
    http: httpx.AsyncClient,
    issuer: str,
    client_id: str,
    redirect_uri: str,
    username: str,
    password: str,
) -> TokenSet:
    """Code flow with PKCE (S256) through the login form; the tokens it ends with."""
    verifier, challenge = pkce_pair()
    page = await authorization_request(
        http,
        issuer,
        client_id,
        redirect_uri,
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    form = _LOGIN_FORM.search(page.text)
    if page.status_code != 200 or form is None:
        raise AssertionError(f"no login form (HTTP {page.status_code}): {page.text[:300]}")
    cookies = "; ".join(f"{name}={value}" for name, value in page.cookies.items())
    answer = await http.post(
        html.unescape(form.group(1)),
        data={"username": username, "password": password, "credentialId": ""},
        headers={"Cookie": cookies},
        follow_redirects=False,
    )
    location = answer.headers.get("location", "")
    if answer.status_code != 302 or not location.startswith(redirect_uri):
        raise AssertionError(f"sign-in did not return to {redirect_uri}: HTTP {answer.status_code}")
    code = parse_qs(urlsplit(location).query)["code"][0]
    asked_at = system_clock()
    tokens = await http.post(
        f"{issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "authorization_code",
            "client_id": client_id,
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
    )
    tokens.raise_for_status()
    return TokenSet.from_response(tokens.json(), asked_at)
