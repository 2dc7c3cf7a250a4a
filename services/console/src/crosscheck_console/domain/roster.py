"""The staff roster as the township admin reads it: each person with unit, whether a
leadership member (who may lead a group), home village, the villages and places they
stay out of, and their login, all by name; and whether the rotation has caught up with
the registry's roster (it learns it from the registry's events)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LoginShown:
    username: str
    role: str | None
    enabled: bool


@dataclass(frozen=True)
class RosterRow:
    name: str
    unit: str
    leadership: bool
    home_village: str | None
    conflict_villages: list[str]
    conflict_places: list[str]
    active: bool
    login: LoginShown | None


@dataclass(frozen=True)
class Propagation:
    """The registry's counts beside the rotation's: equal once the events are applied."""

    registry_staff: int
    registry_sites: int
    rotation_staff: int
    rotation_sites: int

    @property
    def caught_up(self) -> bool:
        return (self.rotation_staff, self.rotation_sites) == (
            self.registry_staff,
            self.registry_sites,
        )


def roster_rows(
    staff: Sequence[Mapping[str, Any]],
    villages: Mapping[str, str],
    places: Mapping[str, str],
    logins: Sequence[Mapping[str, Any]],
    unknown: str,
) -> list[RosterRow]:
    """Leadership first, then by name; the active before the deactivated. A village or
    place the registry no longer lists is shown as `unknown`, never by its id."""
    login_of = {
        str(login["staff_id"]): LoginShown(login["username"], login.get("role"), login["enabled"])
        for login in logins
        if login.get("staff_id")
    }
    rows = [
        RosterRow(
            name=str(s["name"]),
            unit=str(s.get("unit") or ""),
            leadership=bool(s["is_leadership"]),
            home_village=(
                villages.get(s["home_village_id"], unknown) if s.get("home_village_id") else None
            ),
            conflict_villages=[villages.get(v, unknown) for v in s["conflict_village_ids"]],
            conflict_places=[places.get(p, unknown) for p in s["conflict_site_ids"]],
            active=bool(s["active"]),
            login=login_of.get(str(s["id"])),
        )
        for s in staff
    ]
    return sorted(rows, key=lambda r: (not r.active, not r.leadership, r.name))
