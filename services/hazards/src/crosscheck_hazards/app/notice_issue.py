"""Issuing an inspection's notice: its number (once), and a status link published with
NoticeIssued in the same write as the link itself; a link revoked is replaced by a new
one at the next issue. Concurrent first issues: one appends, the others read its link."""

from __future__ import annotations

from crosscheck_contracts.envelope import Tenant
from crosscheck_hazards.adapters import notice_records
from crosscheck_hazards.adapters.inventory import Inventory
from crosscheck_hazards.app.actors import step_actor
from crosscheck_hazards.app.runner import Result, run
from crosscheck_hazards.app.services import HazardsServices
from crosscheck_hazards.domain.inspection import Inspection
from crosscheck_platform.auth import Principal
from crosscheck_platform.eventstore import ConcurrencyConflict, EventStore
from crosscheck_platform.unit_of_work import UnitOfWork

STATUS_PATH = "/public/notices"
_ATTEMPTS = 5


def file_number_text(township_name: str, year: int, number: int) -> str:
    return f"{township_name}互查整改〔{year}〕第{number}号"


async def issue(
    store: EventStore,
    inventory: Inventory,
    services: HazardsServices,
    principal: Principal,
    tenant: Tenant,
    inspection_id: str,
) -> tuple[str, str]:
    """(file number, status URL) of the inspection's notice."""
    db = inventory.db
    now = services.clock()
    number = await notice_records.file_number(db, tenant.township, inspection_id, now)
    township_name = await inventory.township_name(tenant.township) or tenant.township
    file_number = file_number_text(township_name, number.year, number.number)
    for _ in range(_ATTEMPTS):
        token = await notice_records.token_of(db, inspection_id)
        if token is not None:
            return file_number, f"{services.public_url}{STATUS_PATH}/{token}"
        token = notice_records.new_token()
        url = f"{services.public_url}{STATUS_PATH}/{token}"

        async def decide(unit: UnitOfWork, token: str = token, url: str = url) -> Result:
            stored = await unit.store.read(inspection_id)
            inspection = Inspection.rehydrate(inspection_id, (e.event for e in stored))
            inspection.issue_notice(
                file_number=file_number, status_url=url, at=now, by=step_actor(principal)
            )
            unit.add(inspection)
            unit.write(notice_records.link_rows(token, inspection_id, tenant.township, now))
            return {"file_number": file_number, "status_url": url}

        try:
            await run(store, tenant, decide)
        except ConcurrencyConflict:
            continue  # another issue came first: take its link
        return file_number, url
    raise ConcurrencyConflict(inspection_id, -1)
