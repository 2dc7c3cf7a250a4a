"""Evidence cited by a command must already be held by the caller's township: events are
never rewritten, so a finding citing a missing or foreign photo would cite it for good.
A village committee may cite only evidence it reads itself (its own uploads, its
village's findings'): citing is not a way to reach another village's photos.

Reading it back follows the tenancy rules, with the villages the evidence concerns taken
from the evidence index (`adapters.evidence_index`)."""

from __future__ import annotations

from collections.abc import Iterable

from crosscheck_contracts.envelope import Tenant
from crosscheck_hazards.adapters import evidence_index
from crosscheck_hazards.adapters.blobs import BlobStore
from crosscheck_hazards.adapters.inventory import Inventory
from crosscheck_platform.auth import Principal
from crosscheck_platform.db import Database
from crosscheck_platform.errors import RuleViolation
from crosscheck_platform.i18n import register
from crosscheck_platform.tenancy import Holding, OutOfScope, authorize, may_read, own_village

register(
    {
        "evidence.unknown": (
            "证据 {evidence_ids} 在本乡镇不存在,请先上传",
            "Evidence {evidence_ids} does not exist in this township; upload it first.",
        ),
    }
)


async def require_evidence(
    blobs: BlobStore,
    db: Database,
    principal: Principal,
    tenant: Tenant,
    evidence_ids: Iterable[str],
) -> None:
    cited = list(dict.fromkeys(evidence_ids))
    missing = [e for e in cited if not await blobs.exists(tenant.township, e)]
    if missing:
        raise RuleViolation("evidence.unknown", evidence_ids=", ".join(missing))
    if own_village(principal) is None:
        return
    for evidence_id in cited:
        held = await evidence_index.holdings(db, evidence_id)
        here = [h for h in held if h.township == tenant.township]
        authorize(principal, here[0] if here else Holding.of(tenant))


async def readable_evidence(
    blobs: BlobStore,
    db: Database,
    inventory: Inventory,
    principal: Principal,
    evidence_id: str,
) -> tuple[bytes, str] | None:
    """(data, content type) of evidence the principal may read; None for an id nobody
    holds; OutOfScope for one held only outside the principal's scope."""
    held = await evidence_index.holdings(db, evidence_id)
    for holding in held:
        if holding.township is not None and may_read(principal, holding):
            found = await blobs.get(holding.township, evidence_id)
            if found is not None:
                return found
    if held:
        raise OutOfScope()
    return await _unindexed(blobs, inventory, principal, evidence_id)


async def _unindexed(
    blobs: BlobStore, inventory: Inventory, principal: Principal, evidence_id: str
) -> tuple[bytes, str] | None:
    """Evidence uploaded before the index was kept: looked for in the caller's own
    township, or in each township of a county role's county whose places the service
    knows (ids reach it only through findings on known places). Village roles read
    indexed evidence only: the villages of older evidence are not known."""
    if own_village(principal) is not None:
        return None
    tenant = principal.tenant
    if tenant is not None:
        return await blobs.get(tenant.township, evidence_id)
    for township in await inventory.townships_of_county(principal.county):
        found = await blobs.get(township, evidence_id)
        if found is not None:
            return found
    return None
