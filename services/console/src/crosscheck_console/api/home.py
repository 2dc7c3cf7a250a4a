"""The landing page: a sign-in invitation, or the figures the user's role reads."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crosscheck_console.adapters.session import SESSION_COOKIE
from crosscheck_console.api.web import console_of, current_user, render
from crosscheck_console.app.landing import landing
from crosscheck_platform.auth import COUNTY_ROLES, Role


def home_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> HTMLResponse:
        if not request.cookies.get(SESSION_COOKIE):
            return render(request, "login.html", None)
        user = await current_user(request)
        role = user.principal.role
        if role is Role.TOWNSHIP_ADMIN or role in COUNTY_ROLES:
            data = await landing(console_of(request).apis, user.principal, user.token, user.lang)
            return render(request, "landing.html", user, data=data)
        return render(request, "landing.html", user, data=None)

    return router
