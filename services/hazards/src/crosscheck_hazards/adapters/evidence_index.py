"""Which villages each piece of evidence concerns: the village of the committee that
uploaded it, and the villages of the inspections and hazards that cite it. Blobs are
kept per township only; this index is what lets a village committee read the photos of
its own village's findings and nothing of another village's.

A row with an empty village says the township holds the evidence (uploaded by its
staff) before any village's finding cites it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore import TableRows
from crosscheck_platform.tenancy import Holding

_COLUMNS = ("evidence_id", "township", "county", "village_id")
_INSERT = f"""INSERT INTO evidence_villages ({", ".join(_COLUMNS)}) VALUES ($1, $2, $3, $4)
    ON CONFLICT DO NOTHING"""


def citation_rows(
    tenant: Tenant, evidence_ids: Iterable[str], villages: Iterable[str | None]
) -> list[TableRows]:
    """Rows to write with a command whose finding cites `evidence_ids` and concerns
    `villages` (none when nothing is cited)."""
    pairs = sorted({(e, v) for e in evidence_ids for v in villages if v})
    if not pairs:
        return []
    rows = [(e, tenant.township, tenant.county, v) for e, v in pairs]
    return [TableRows("evidence_villages", _COLUMNS, ("text",) * 4, rows, "ON CONFLICT DO NOTHING")]


_RECORD_UPLOAD = f"""WITH village AS ({_INSERT})
    INSERT INTO evidence_uploads (evidence_id, township, kind, uploaded_at)
    VALUES ($1, $2, $5, $6) ON CONFLICT DO NOTHING"""


async def record_upload(
    db: Database,
    tenant: Tenant,
    evidence_id: str,
    village_id: str | None,
    *,
    kind: str,
    at: datetime,
) -> None:
    await db.execute(
        _RECORD_UPLOAD, evidence_id, tenant.township, tenant.county, village_id or "", kind, at
    )


async def photo_times(db: Database, township: str, evidence_ids: Sequence[str]) -> list[datetime]:
    """When each cited photo was uploaded (evidence that is not a photo is left out)."""
    rows = await db.fetch(
        "SELECT uploaded_at FROM evidence_uploads WHERE township = $1"
        " AND evidence_id = ANY($2::text[]) AND kind LIKE 'image/%'",
        township,
        list(evidence_ids),
    )
    return [r["uploaded_at"] for r in rows]


async def holdings(db: Database, evidence_id: str) -> list[Holding]:
    """Where the evidence is held: one holding per township that holds it, concerning
    the villages recorded there."""
    rows = await db.fetch(
        "SELECT township, county, village_id FROM evidence_villages WHERE evidence_id = $1",
        evidence_id,
    )
    villages: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        found = villages[(row["county"], row["township"])]
        if row["village_id"]:
            found.add(row["village_id"])
    return [Holding(county, township, frozenset(vs)) for (county, township), vs in villages.items()]
