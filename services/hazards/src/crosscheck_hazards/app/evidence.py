"""Evidence cited by a command must already be held by the caller's township: events are
never rewritten, so a finding citing a missing or foreign photo would cite it for good.

Reading it back: township users read their own township's evidence; a county viewer
reads that of every township of its county, as it reads their hazards."""

from __future__ import annotations

from collections.abc import Iterable

from crosscheck_hazards.adapters.blobs import BlobStore
from crosscheck_hazards.adapters.inventory import Inventory
from crosscheck_platform.auth import Principal
from crosscheck_platform.errors import RuleViolation
from crosscheck_platform.i18n import register

register(
    {
        "evidence.unknown": (
            "证据 {evidence_ids} 在本乡镇不存在,请先上传",
            "Evidence {evidence_ids} does not exist in this township; upload it first.",
        ),
    }
)


async def require_evidence(blobs: BlobStore, township: str, evidence_ids: Iterable[str]) -> None:
    cited = list(dict.fromkeys(evidence_ids))
    missing = [e for e in cited if not await blobs.exists(township, e)]
    if missing:
        raise RuleViolation("evidence.unknown", evidence_ids=", ".join(missing))


async def readable_evidence(
    blobs: BlobStore, inventory: Inventory, principal: Principal, evidence_id: str
) -> tuple[bytes, str] | None:
    """(data, content type) of evidence the principal may read, else None (so an id held
    only outside its scope looks like any unknown id).

    Blobs are kept per township and a county viewer's token names no township, so its
    evidence is looked for in each township of its county whose places the service
    knows. That is every township whose evidence it can meet: ids reach it only through
    inspections and hazards, which are recorded against known places. A dozen or two
    look-ups for a read that is rare beats writing an index beside every upload, and it
    covers evidence uploaded before county viewers could read it."""
    tenant = principal.tenant
    if tenant is not None:
        return await blobs.get(tenant.township, evidence_id)
    for township in await inventory.townships_of_county(principal.county):
        found = await blobs.get(township, evidence_id)
        if found is not None:
            return found
    return None
