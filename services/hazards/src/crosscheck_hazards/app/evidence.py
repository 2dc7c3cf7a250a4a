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
from crosscheck_platform import media
from crosscheck_platform.auth import Principal
from crosscheck_platform.db import Database
from crosscheck_platform.errors import RuleViolation
from crosscheck_platform.i18n import register
from crosscheck_platform.tenancy import Holding, OutOfScope, authorize, may_read, own_village

# Photos from phones (HEIC is what iPhones take) and scanned or printed documents.
EVIDENCE_TYPES = frozenset({media.JPEG, media.PNG, media.WEBP, media.HEIC, media.HEIF, media.PDF})
MAX_BYTES = 10 * 1024 * 1024
# Served in place of a stored type its bytes no longer bear out (evidence stored before
# uploads were checked): a browser then offers the file for download and renders nothing.
UNVERIFIED_TYPE = "application/octet-stream"

register(
    {
        "evidence.unknown": (
            "证据 {evidence_ids} 在本乡镇不存在,请先上传",
            "Evidence {evidence_ids} does not exist in this township; upload it first.",
        ),
        "evidence.type": (
            "证据文件类型不支持(支持 JPEG、PNG、WebP、HEIC 图片和 PDF)",
            "Unsupported evidence type (JPEG, PNG, WebP and HEIC images and PDF are accepted).",
        ),
        "evidence.mismatch": (
            "文件内容不是声明的类型 {declared},请上传原始的照片或 PDF 文件",
            "The file's content is not the declared type {declared}; "
            "upload the original photo or PDF.",
        ),
        "evidence.empty": ("证据文件是空的", "The evidence file is empty."),
    }
)


def declared_type(content_type: str) -> str:
    """The declared media type, if evidence may be of that type (checked before the
    body is read, so a wrong type costs no upload)."""
    kind = media.media_type_of(content_type)
    if kind not in EVIDENCE_TYPES:
        raise media.UnsupportedMediaType("evidence.type", declared=kind)
    return kind


def checked_evidence(kind: str, data: bytes) -> bytes:
    """The upload, if its bytes are what it was declared to be. A wrong declaration is
    refused rather than corrected: the client's claim and its file disagree, and
    storing either guess would later serve bytes under a type nobody checked."""
    if not data:
        raise RuleViolation("evidence.empty")
    if not media.matches(kind, data):
        raise media.UnsupportedMediaType(
            "evidence.mismatch", declared=kind, detected=media.sniff(data) or "unknown"
        )
    return data


def served_type(stored: str, data: bytes) -> str:
    """The type to serve evidence as: the stored one while the bytes still bear it out."""
    return stored if stored in EVIDENCE_TYPES and media.matches(stored, data) else UNVERIFIED_TYPE


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


async def readable_township(db: Database, principal: Principal, evidence_id: str) -> str | None:
    """The township whose record of the evidence the principal may read; None for an id
    nobody holds; OutOfScope for one held only outside the principal's scope."""
    held = await evidence_index.holdings(db, evidence_id)
    for holding in held:
        if holding.township is not None and may_read(principal, holding):
            return holding.township
    if held:
        raise OutOfScope()
    return None


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
