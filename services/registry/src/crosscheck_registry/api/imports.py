"""`POST /v1/townships/{code}/import`: upload a CSV or XLSX file as the request body.

    ?dry_run=true       report what would change, change nothing
    ?skip_invalid=true  apply the valid rows even when some rows are bad
    ?close_missing=true close places / deactivate staff the file no longer lists

Without skip_invalid, a file with any bad row changes nothing and the answer is 422
with the full report; the report always lists every problem by sheet, row and column.
A file larger than an inventory may be (adapters/upload_limits.py) is refused with 413,
while it is uploaded or before it is unpacked and parsed in full.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response

from crosscheck_platform.eventstore import CommandContext
from crosscheck_platform.http import Runtime, error_response
from crosscheck_platform.http.files import content_disposition, read_body
from crosscheck_platform.i18n import preferred_language
from crosscheck_registry.adapters.template import template_xlsx
from crosscheck_registry.adapters.upload_limits import MAX_UPLOAD_BYTES
from crosscheck_registry.api.common import AdminWrite
from crosscheck_registry.api.reports import ImportReport, import_report
from crosscheck_registry.app.imports import ImportOptions, ImportRejected, run_import

TOWNSHIP_TIME = ZoneInfo("Asia/Shanghai")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def today() -> date:
    return datetime.now(TOWNSHIP_TIME).date()


def imports_router() -> APIRouter:
    router = APIRouter(prefix="/v1/townships/{code}", tags=["import"])

    @router.post(
        "/import",
        response_model=ImportReport,
        openapi_extra={
            "requestBody": {
                "content": {
                    "text/csv": {"schema": {"type": "string", "format": "binary"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
                "required": True,
            }
        },
        responses={
            413: {"description": "Larger than an inventory may be, sent or unpacked"},
            422: {"description": "The file has errors (the full report in `detail`)"},
        },
    )
    async def import_file(
        request: Request,
        scope: AdminWrite,
        runtime: Runtime,
        dry_run: bool = False,
        skip_invalid: bool = False,
        close_missing: bool = False,
    ) -> object:
        lang = preferred_language(request.headers.get("accept-language"))
        data = await read_body(request, MAX_UPLOAD_BYTES)
        options = ImportOptions(dry_run, skip_invalid, close_missing)
        try:
            outcome = await run_import(
                runtime.database,
                runtime.event_store,
                CommandContext(tenant=scope.tenant),
                data,
                options,
                today=today(),
            )
        except ImportRejected as rejected:
            plan = rejected.outcome.plan
            unsafe = plan.has_sheet_errors
            return error_response(
                request,
                422,
                "import_rejected",
                "registry.import.unsafe" if unsafe else "registry.import.rejected",
                params={"count": len(plan.errors)},
                detail=import_report(rejected.outcome, lang).model_dump(mode="json"),
            )
        return import_report(outcome, lang)

    @router.get(
        "/import/template.xlsx",
        response_class=Response,
        responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}},
    )
    async def template(scope: AdminWrite) -> Response:
        """The empty inventory workbook (村委会, 场所, 人员) with the columns the import reads."""
        return Response(
            template_xlsx(),
            media_type=XLSX,
            headers={"Content-Disposition": content_disposition("attachment", "基础台账模板.xlsx")},
        )

    return router
