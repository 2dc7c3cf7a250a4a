"""What every page shares: the console's parts, the signed-in user (from the session
cookie, refreshed when its token runs out), CSRF on forms, and rendering a template
in the user's language with the page's own security policy."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, cast

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from crosscheck_console.adapters.oidc import Provider
from crosscheck_console.adapters.services import Apis
from crosscheck_console.adapters.session import LANG_COOKIE, SESSION_COOKIE, Sealer, Session
from crosscheck_console.domain.field import LOCAL
from crosscheck_console.domain.roles import Page, may_open, menu
from crosscheck_console.settings import ConsoleSettings
from crosscheck_platform.auth import Principal
from crosscheck_platform.auth.verifier import InvalidToken, TokenVerifier
from crosscheck_platform.i18n import Language, knows, translate
from crosscheck_platform.identity.errors import IdentityError

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass
class Console:
    settings: ConsoleSettings
    provider: Provider
    apis: Apis
    sealer: Sealer
    verifier: TokenVerifier
    templates: Jinja2Templates
    production: bool

    def policy(self) -> str:
        idp = self.provider.issuer.split("/realms/")[0]
        return (
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
            f"script-src 'self'; form-action 'self' {idp}; frame-ancestors 'none'; "
            "base-uri 'none'; object-src 'none'"
        )


class NeedsLogin(Exception):
    pass


class Forbidden(Exception):
    def __init__(self, user: User) -> None:
        self.user = user


class BadForm(Exception):
    pass


@dataclass(frozen=True)
class User:
    principal: Principal
    session: Session
    lang: Language

    @property
    def token(self) -> str:
        return self.session.access_token


def console_of(request: Request) -> Console:
    return cast(Console, request.app.state.console)


def language(request: Request) -> Language:
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "zh"


async def current_user(request: Request) -> User:
    console = console_of(request)
    max_age = console.settings.session_hours * 3600
    session = console.sealer.open_session(request.cookies.get(SESSION_COOKIE), max_age)
    if session is None:
        raise NeedsLogin
    if session.expires_at - 20 < time.time():
        if not session.refresh_token:
            raise NeedsLogin
        try:
            fresh = await console.provider.refresh(session.refresh_token)
        except IdentityError:
            raise NeedsLogin from None
        session = replace(
            session,
            access_token=fresh.access_token,
            refresh_token=fresh.refresh_token or session.refresh_token,
            expires_at=fresh.expires_at.timestamp(),
        )
        # The middleware in bootstrap writes the renewed session back to the cookie.
        request.state.renewed_session = session
    try:
        principal = await console.verifier.verify(session.access_token)
    except InvalidToken:
        raise NeedsLogin from None
    return User(principal, session, language(request))


CurrentUser = Annotated[User, Depends(current_user)]


def page_user(page: Page) -> Any:
    async def allowed(user: CurrentUser) -> User:
        if not may_open(user.principal.role, page):
            raise Forbidden(user)
        return user

    return Depends(allowed)


async def checked_csrf(user: CurrentUser, csrf: Annotated[str, Form()] = "") -> User:
    """Every form carries the session's form token; a form from elsewhere does not."""
    if not csrf or csrf != user.session.csrf:
        raise BadForm
    return user


CsrfUser = Annotated[User, Depends(checked_csrf)]


def local_day(moment: str) -> str:
    """An instant on the wire (UTC) as the day it is in China."""
    return datetime.fromisoformat(moment).astimezone(LOCAL).date().isoformat()


def local_time(moment: str) -> str:
    """An instant on the wire (UTC) as the time it is in China, to the minute."""
    return datetime.fromisoformat(moment).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def render(
    request: Request,
    template: str,
    user: User | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    console = console_of(request)
    lang = user.lang if user else language(request)

    def t(key: str, **params: Any) -> str:
        return translate(key, lang, **params)

    response = console.templates.TemplateResponse(
        request,
        template,
        {
            "t": t,
            "knows": knows,
            "lang": lang,
            "user": user,
            "menu": menu(user.principal.role) if user else [],
            "csrf": user.session.csrf if user else "",
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
    )
    response.headers["Content-Security-Policy"] = console.policy()
    response.headers["Content-Language"] = "en" if lang == "en" else "zh-CN"
    return response
