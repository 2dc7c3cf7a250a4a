"""A round's plan as people read it: group, leader, members, village, places with
address, owner and phone, by name. The rotation answers ids; the registry answers names;
this joins them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PlacePlanned:
    name: str
    address: str
    owner: str
    phone: str


@dataclass(frozen=True)
class PlanRow:
    group: str
    leader: str
    members: list[str]
    zone: str
    village: str
    places: list[PlacePlanned]


@dataclass(frozen=True)
class RoundTable:
    round_no: int
    starts_on: str
    ends_on: str
    closed: bool
    rows: list[PlanRow]
    checks: list[dict[str, Any]]


def round_table(
    plan: Mapping[str, Any],
    round_no: int,
    staff: Mapping[str, str],
    sites: Mapping[str, Mapping[str, Any]],
    dates: tuple[str, str],
) -> RoundTable:
    """`staff`: id -> name; `sites`: id -> the registry's place. Unknown ids show as
    themselves so that a gap is visible rather than hidden."""
    groups = {g["group_id"]: g for g in plan["groups"]}
    zones = {z["zone_id"]: z for z in plan["zones"]}
    record = next(r for r in plan["schedule"] if r["round_no"] == round_no)
    rows = []
    for a in sorted(record["assignments"], key=lambda a: groups[a["group_id"]]["name"]):
        group = groups[a["group_id"]]
        zone = zones.get(a["zone_id"], {"name": a["zone_id"]})
        places = [_place(sites.get(s), s) for s in a["site_ids"]]
        village = next((sites[s]["village_name"] for s in a["site_ids"] if s in sites), "")
        rows.append(
            PlanRow(
                group=group["name"],
                leader=staff.get(group["leader_id"], group["leader_id"]),
                members=[staff.get(m, m) for m in group["member_ids"] if m != group["leader_id"]],
                zone=zone["name"],
                village=village,
                places=places,
            )
        )
    return RoundTable(round_no, dates[0], dates[1], record["closed"], rows, record["checks"])


def _place(site: Mapping[str, Any] | None, site_id: str) -> PlacePlanned:
    if site is None:
        return PlacePlanned(site_id, "", "", "")
    phone = site.get("responsible_phone") or site.get("responsible_phone_masked") or ""
    return PlacePlanned(site["name"], site["address"], site["responsible_name"], phone)


def round_dates(starts_on: str, ends_on: str, rounds: int, round_no: int) -> tuple[str, str]:
    """The campaign's period cut into equal rounds (the rotation plans rounds, not days)."""
    from datetime import date, timedelta

    start, end = date.fromisoformat(starts_on), date.fromisoformat(ends_on)
    days = (end - start).days + 1
    first = start + timedelta(days=days * (round_no - 1) // rounds)
    last = start + timedelta(days=days * round_no // rounds - 1)
    return first.isoformat(), max(first, last).isoformat()


def names(records: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {r["id"]: r["name"] for r in records}
