"""Sign in (authorization code + PKCE at the provider), sign out, choose the language."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crosscheck_console.adapters.session import (
    LANG_COOKIE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    PendingLogin,
    Session,
)
from crosscheck_console.api.web import Console, CsrfUser, console_of, language, render
from crosscheck_platform.auth.verifier import InvalidToken
from crosscheck_platform.identity.errors import IdentityError

LOGIN_SECONDS = 600


def local_path(target: str | None) -> str:
    """Only a path on this console: never an open redirect to another site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "") if not parts.netloc else "/"


def set_cookie(console: Console, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=console.settings.secure_cookies,
        samesite="lax",
        path="/",
    )


def write_session(console: Console, response: Response, session: Session) -> None:
    set_cookie(
        console,
        response,
        SESSION_COOKIE,
        console.sealer.seal(session),
        console.settings.session_hours * 3600,
    )


def auth_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/login")
    async def login(request: Request, next: str | None = None) -> Response:
        console = console_of(request)
        started = await console.provider.login(language(request))
        response = RedirectResponse(started.url, status_code=303)
        pending = PendingLogin(started.state, started.verifier, local_path(next))
        set_cookie(console, response, LOGIN_COOKIE, console.sealer.seal(pending), LOGIN_SECONDS)
        return response

    @router.get("/auth/callback")
    async def callback(
        request: Request, code: str | None = None, state: str | None = None
    ) -> Response:
        console = console_of(request)
        pending = console.sealer.open_login(request.cookies.get(LOGIN_COOKIE), LOGIN_SECONDS)
        if pending is None or not code or state != pending.state:
            return render(request, "message.html", None, 400, key="console.login_failed")
        try:
            tokens = await console.provider.exchange(code, pending.verifier)
            await console.verifier.verify(tokens.access_token)
        except (IdentityError, InvalidToken):
            return render(request, "message.html", None, 400, key="console.login_failed")
        response = RedirectResponse(pending.next, status_code=303)
        session = Session.new(
            tokens.access_token, tokens.refresh_token, tokens.expires_at.timestamp()
        )
        write_session(console, response, session)
        response.delete_cookie(LOGIN_COOKIE, path="/")
        return response

    @router.post("/logout")
    async def logout(request: Request, user: CsrfUser) -> Response:
        console = console_of(request)
        back = await console.provider.logout_url(console.settings.public_url + "/")
        response = RedirectResponse(back or "/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @router.get("/language/{lang}")
    async def choose_language(request: Request, lang: str, next: str | None = None) -> Response:
        response = RedirectResponse(local_path(next), status_code=303)
        set_cookie(
            console_of(request), response, LANG_COOKIE, "en" if lang == "en" else "zh", 31536000
        )
        return response

    return router
