"""The roster a decision read, as plain facts with a content version, so that the draw
and the plans can be replayed from the same roster later.

The version is the SHA-256 of the facts in a canonical JSON form: the same staff (with
their units, leadership, home villages, declared conflicts and names) and the same open
places give the same version on any machine, in any order they were read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from crosscheck_rotation.domain.model import StaffMember


@dataclass(frozen=True)
class Roster:
    """The active staff and the open places (site id -> village id) at one moment."""

    staff: Mapping[str, StaffMember]
    sites: Mapping[str, str]

    def facts(self) -> dict[str, Any]:
        return facts(self.staff.values(), self.sites)

    @property
    def version(self) -> str:
        return version(self.facts())


def _member(s: StaffMember) -> dict[str, Any]:
    # Officials kept apart only when there are some, so that a roster without them keeps
    # the version it had before they could be declared.
    pairs = {"conflict_staff_ids": sorted(s.conflict_staff_ids)} if s.conflict_staff_ids else {}
    return pairs | {
        "staff_id": s.staff_id,
        "name": s.name,
        "unit": s.unit,
        "is_leadership": s.is_leadership,
        "home_village_id": s.home_village_id,
        "conflict_village_ids": sorted(s.conflict_village_ids),
        "conflict_site_ids": sorted(s.conflict_site_ids),
    }


def facts(staff: Iterable[StaffMember], sites: Mapping[str, str]) -> dict[str, Any]:
    """The roster as canonical JSON-ready facts (sorted, so reading order does not count)."""
    return {
        "staff": sorted((_member(s) for s in staff), key=lambda m: m["staff_id"]),
        "sites": sorted([site, village] for site, village in sites.items()),
    }


def version(roster_facts: Mapping[str, Any]) -> str:
    text = json.dumps(roster_facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def from_facts(roster_facts: Mapping[str, Any]) -> Roster:
    """The roster back from its facts (as stored); fields added since default."""
    staff = {
        m["staff_id"]: StaffMember(
            staff_id=m["staff_id"],
            unit=m["unit"],
            is_leadership=m["is_leadership"],
            home_village_id=m.get("home_village_id"),
            conflict_village_ids=frozenset(m.get("conflict_village_ids", ())),
            conflict_site_ids=frozenset(m.get("conflict_site_ids", ())),
            name=m.get("name", ""),
            conflict_staff_ids=frozenset(m.get("conflict_staff_ids", ())),
        )
        for m in roster_facts["staff"]
    }
    return Roster(staff, {site: village for site, village in roster_facts["sites"]})
