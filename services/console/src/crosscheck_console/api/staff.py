"""The township admin's staff roster."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crosscheck_console.api.web import User, console_of, page_user, render
from crosscheck_console.app.staff import roster
from crosscheck_console.domain.roles import Page

Admin = Annotated[User, page_user(Page.STAFF)]


def staff_router() -> APIRouter:
    router = APIRouter(prefix="/staff", include_in_schema=False)

    @router.get("", response_class=HTMLResponse)
    async def page(request: Request, user: Admin, logins: bool = False) -> HTMLResponse:
        assert user.principal.township is not None
        found = await roster(
            console_of(request).apis,
            user.principal.township,
            user.token,
            user.lang,
            with_logins=logins,
        )
        return render(request, "staff.html", user, roster=found)

    return router
