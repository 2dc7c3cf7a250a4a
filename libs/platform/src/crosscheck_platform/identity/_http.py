"""One place that turns httpx's outcomes into the identity errors."""

from __future__ import annotations

from typing import Any

import httpx

from crosscheck_platform.identity.errors import IdentityUnreachable


async def send(http: httpx.AsyncClient, method: str, url: str, **options: Any) -> httpx.Response:
    """The provider's answer, when it gave one below 500; IdentityUnreachable otherwise."""
    try:
        response = await http.request(method, url, **options)
    except httpx.TransportError as exc:
        raise IdentityUnreachable(provider_error=f"{type(exc).__name__}: {exc}") from exc
    if response.status_code >= 500:
        raise IdentityUnreachable(
            provider_status=response.status_code, provider_error=provider_says(response)
        )
    return response


def provider_says(response: httpx.Response) -> str:
    """The provider's reason, from the shapes Keycloak answers with: OAuth errors
    (`error`, `error_description`) and admin errors (`errorMessage`, `field`)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if not isinstance(body, dict):
        return str(body)[:200]
    parts = [
        str(body[key])
        for key in ("error", "error_description", "field", "errorMessage")
        if body.get(key)
    ]
    return ": ".join(parts) or response.text[:200]
