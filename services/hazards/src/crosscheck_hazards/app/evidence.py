"""Evidence cited by a command must already be held by the caller's township: events are
never rewritten, so a finding citing a missing or foreign photo would cite it for good."""

from __future__ import annotations

from collections.abc import Iterable

from crosscheck_hazards.adapters.blobs import BlobStore
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
