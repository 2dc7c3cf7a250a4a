"""The township admin's inventory: template, upload with a dry run, import."""

from __future__ import annotations

import base64
import hashlib
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from crosscheck_console.api.web import BadForm, User, console_of, page_user, render
from crosscheck_console.app import inventory
from crosscheck_console.domain.roles import Page
from crosscheck_platform.http.files import content_disposition

Admin = Annotated[User, page_user(Page.INVENTORY)]
MAX_UPLOAD = 20 * 1024 * 1024


def inventory_router() -> APIRouter:
    router = APIRouter(prefix="/inventory", include_in_schema=False)

    @router.get("", response_class=HTMLResponse)
    async def page(request: Request, user: Admin) -> HTMLResponse:
        apis = console_of(request).apis
        found = await inventory.counts(apis, _code(user), user.token, user.lang)
        return render(request, "inventory.html", user, counts=found, report=None)

    @router.get("/template.xlsx")
    async def template(request: Request, user: Admin) -> Response:
        data = await inventory.template(
            console_of(request).apis, _code(user), user.token, user.lang
        )
        return Response(
            data,
            media_type=inventory.XLSX,
            headers={"Content-Disposition": content_disposition("attachment", "基础台账模板.xlsx")},
        )

    @router.post("", response_class=HTMLResponse)
    async def upload(
        request: Request,
        user: Admin,
        csrf: Annotated[str, Form()],
        action: Annotated[str, Form()],
        file: UploadFile | None = None,
        kept: Annotated[str, Form()] = "",
        kept_name: Annotated[str, Form()] = "",
    ) -> HTMLResponse:
        """`check` sends the chosen file as a dry run; `import` sends the file that was
        checked (carried in the form, so the console keeps nothing between the two)."""
        if csrf != user.session.csrf:
            raise BadForm
        if file is not None and file.filename:
            data, name = await file.read(MAX_UPLOAD + 1), file.filename
        else:
            data, name = base64.b64decode(kept or b""), kept_name
        if not data or len(data) > MAX_UPLOAD:
            raise BadForm
        apis = console_of(request).apis
        dry_run = action != "import"
        accepted, report = await inventory.upload(
            apis, _code(user), user.token, user.lang, data, name, dry_run
        )
        # A dry run answers 200 with the problems listed; a real import refuses with 422.
        accepted = accepted and not report.get("errors")
        # A dry run answers 200 with the problems listed; a real import refuses with 422.
        accepted = accepted and not report.get("errors")
        found = await inventory.counts(apis, _code(user), user.token, user.lang)
        return render(
            request,
            "inventory.html",
            user,
            200 if accepted else 422,
            counts=found,
            report=report,
            accepted=accepted,
            kept=base64.b64encode(data).decode() if accepted and dry_run else "",
            kept_name=name,
            digest=hashlib.sha256(data).hexdigest()[:12],
        )

    return router


def _code(user: User) -> str:
    assert user.principal.township is not None
    return user.principal.township
