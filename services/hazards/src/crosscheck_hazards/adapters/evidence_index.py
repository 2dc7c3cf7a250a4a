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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crosscheck_contracts.envelope import Tenant
from crosscheck_contracts.events.registry import GeoPoint
from crosscheck_hazards.domain.presence import Capture
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
    INSERT INTO evidence_uploads (evidence_id, township, kind, uploaded_at,
                                  taken_at, time_source, lat, lon, position_source)
    VALUES ($1, $2, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING"""


@dataclass(frozen=True)
class Stored:
    """Where and when uploaded evidence was taken, as first recorded."""

    uploaded_at: datetime
    taken_at: datetime | None
    time_source: str | None
    location: GeoPoint | None
    position_source: str | None


async def record_upload(
    db: Database,
    tenant: Tenant,
    evidence_id: str,
    village_id: str | None,
    *,
    kind: str,
    at: datetime,
    taken: Taken | None = None,
) -> Stored:
    """Record the upload; the same bytes uploaded again keep what was first recorded."""
    taken = taken or Taken()
    location = taken.location
    await db.execute(
        _RECORD_UPLOAD,
        evidence_id,
        tenant.township,
        tenant.county,
        village_id or "",
        kind,
        at,
        taken.taken_at,
        taken.time_source,
        location.lat if location else None,
        location.lon if location else None,
        taken.position_source,
    )
    row = (
        await db.fetch(
            "SELECT * FROM evidence_uploads WHERE evidence_id = $1 AND township = $2",
            evidence_id,
            tenant.township,
        )
    )[0]
    return _stored(row)


async def stored(db: Database, township: str, evidence_id: str) -> Stored | None:
    """Where and when the township's upload of the evidence was taken, as first recorded;
    None for evidence uploaded before uploads were recorded."""
    rows = await db.fetch(
        "SELECT * FROM evidence_uploads WHERE evidence_id = $1 AND township = $2",
        evidence_id,
        township,
    )
    return _stored(rows[0]) if rows else None


def _stored(row: Any) -> Stored:
    return Stored(
        uploaded_at=row["uploaded_at"],
        taken_at=row["taken_at"],
        time_source=row["time_source"],
        location=_point(row),
        position_source=row["position_source"],
    )


@dataclass(frozen=True)
class Taken:
    """Where and when the uploader (EXIF, or the device) says evidence was taken."""

    taken_at: datetime | None = None
    time_source: str | None = None
    location: GeoPoint | None = None
    position_source: str | None = None


def _point(row: Any) -> GeoPoint | None:
    if row["lat"] is None or row["lon"] is None:
        return None
    return GeoPoint(lat=row["lat"], lon=row["lon"])


async def captures(db: Database, township: str, evidence_ids: Sequence[str]) -> list[Capture]:
    """What is known of where and when each cited piece of evidence was taken (its
    upload time when nothing else is), in the order cited."""
    rows = await db.fetch(
        "SELECT * FROM evidence_uploads WHERE township = $1 AND evidence_id = ANY($2::text[])",
        township,
        list(evidence_ids),
    )
    by_id = {r["evidence_id"]: r for r in rows}
    found = []
    for evidence_id in dict.fromkeys(evidence_ids):
        row = by_id.get(evidence_id)
        if row is None:
            continue  # stored before uploads were recorded: nothing known of it
        found.append(
            Capture(
                evidence_id=evidence_id,
                taken_at=row["taken_at"] or row["uploaded_at"],
                time_source=row["time_source"] or "upload",
                location=_point(row),
                is_photo=str(row["kind"]).startswith("image/"),
            )
        )
    return found


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
