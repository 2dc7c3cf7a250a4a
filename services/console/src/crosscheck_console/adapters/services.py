"""The services' public HTTP APIs, called with the user's own bearer token: what a page
shows is exactly what that user may read, decided by the services themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import httpx

Service = Literal["registry", "rotation", "hazards", "notify", "ledgers"]


class ApiRefused(Exception):
    """A service answered an error: its status and its message (already in the
    user's language, from Accept-Language), and the error's detail if any."""

    def __init__(self, status: int, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail


@dataclass(frozen=True)
class Apis:
    http: httpx.AsyncClient
    urls: dict[Service, str]

    async def call(
        self,
        service: Service,
        method: str,
        path: str,
        token: str,
        lang: str,
        **options: Any,
    ) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept-Language": "en" if lang == "en" else "zh-CN",
            **options.pop("headers", {}),
        }
        try:
            answer = await self.http.request(
                method, self.urls[service] + path, headers=headers, **options
            )
        except httpx.HTTPError as exc:
            raise ApiRefused(503, f"{service}: {type(exc).__name__}") from exc
        if answer.status_code >= 400:
            raise _refused(answer)
        return answer

    async def json(self, service: Service, path: str, token: str, lang: str, **kw: Any) -> Any:
        return (await self.call(service, "GET", path, token, lang, **kw)).json()

    async def all_pages(
        self, service: Service, path: str, token: str, lang: str, **params: Any
    ) -> list[dict[str, Any]]:
        """Every item of a paged list, 500 at a time (the registry's page limit)."""
        items: list[dict[str, Any]] = []
        while True:
            page = await self.json(
                service, path, token, lang, params={**params, "limit": 500, "offset": len(items)}
            )
            items += page["items"]
            if not page["items"] or len(items) >= page["total"]:
                return items


def _refused(answer: httpx.Response) -> ApiRefused:
    try:
        body = answer.json()
    except ValueError:
        return ApiRefused(answer.status_code, answer.text[:200])
    error = body.get("error", {}) if isinstance(body, dict) else {}
    return ApiRefused(answer.status_code, str(error.get("message", "")), error.get("detail"))
