"""From an event to the field-group writes it makes: pure, one function per event type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import singledispatch
from typing import Any, NamedTuple

from crosscheck_contracts.base import Event
from crosscheck_contracts.events import (
    CampaignLaunched,
    DeadlineExtended,
    GroupsFormed,
    HazardEscalated,
    HazardFound,
    HazardNotified,
    InspectionCompleted,
    NoticeIssued,
    Presence,
    RectificationAssigned,
    RectificationOverdue,
    RectificationRejected,
    RectificationReported,
    RectificationVerified,
    RoundClosed,
    RoundReplanned,
    RoundScheduled,
    SiteClosed,
    SiteRegistered,
    SiteUpdated,
    StaffEnrolled,
    StaffUpdated,
    TownshipRegistered,
    VillageRegistered,
)
from crosscheck_ledgers.domain import tables as t
from crosscheck_ledgers.domain.merge import Write
from crosscheck_ledgers.domain.states import HazardState


class Meta(NamedTuple):
    """What the envelope adds: tenant, the event's place in its stream, when it happened."""

    township: str
    county: str
    version: int
    time: datetime


Projector = Callable[[Any, Meta], list[Write]]
_projectors: dict[type[Event], Projector] = {}


def project(event: Event, meta: Meta) -> list[Write]:
    """The writes `event` makes; events the ledgers do not need make none."""
    # A plain dict in front of singledispatch's weak-keyed cache: this runs per event.
    projector = _projectors.get(type(event))
    if projector is None:
        projector = _projectors[type(event)] = _project.dispatch(type(event))
    return projector(event, meta)


def _w(table: t.Table, key: tuple[Any, ...], meta: Meta, group: str, *values: Any) -> Write:
    # tuple.__new__ skips the named tuple's Python-level __new__: half the cost of a
    # write, made a few million times in a rebuild.
    return tuple.__new__(
        Write, (table, key, meta.township, meta.county, group, meta.version, values)
    )


def projected_types() -> list[type[Event]]:
    """The event types the ledgers read."""
    return [cls for cls in _project.registry if cls is not object and cls is not Event]


@singledispatch
def _project(event: Event, meta: Meta) -> list[Write]:
    return []  # e.g. staff conflicts, reminders: not part of the ledgers


@_project.register
def _(e: TownshipRegistered, m: Meta) -> list[Write]:
    return [_w(t.TOWNSHIPS, (e.township_code,), m, "registered", e.name, e.county_name)]


@_project.register
def _(e: VillageRegistered, m: Meta) -> list[Write]:
    return [_w(t.VILLAGES, (e.village_id,), m, "registered", e.code, e.name)]


def _site_fields(e: SiteRegistered | SiteUpdated) -> dict[str, Any]:
    return {
        "name": e.name,
        "village": e.village_id,
        "type": e.site_type.value if e.site_type is not None else None,
        "address": e.address,
        "responsible": e.responsible_name,
        "phone": e.responsible_phone_masked,
    }


@_project.register
def _(e: SiteRegistered, m: Meta) -> list[Write]:
    key = (e.site_id,)
    return [_w(t.SITES, key, m, group, value) for group, value in _site_fields(e).items()]


@_project.register
def _(e: SiteUpdated, m: Meta) -> list[Write]:
    key = (e.site_id,)
    fields = _site_fields(e).items()
    return [_w(t.SITES, key, m, group, value) for group, value in fields if value is not None]


@_project.register
def _(e: SiteClosed, m: Meta) -> list[Write]:
    return [_w(t.SITES, (e.site_id,), m, "closed", e.closed_on, e.reason)]


@_project.register
def _(e: StaffEnrolled, m: Meta) -> list[Write]:
    key = (e.staff_id,)
    return [_w(t.STAFF, key, m, "name", e.name), _w(t.STAFF, key, m, "unit", e.unit)]


@_project.register
def _(e: StaffUpdated, m: Meta) -> list[Write]:
    key = (e.staff_id,)
    writes = []
    if e.name is not None:
        writes.append(_w(t.STAFF, key, m, "name", e.name))
    if e.unit is not None:
        writes.append(_w(t.STAFF, key, m, "unit", e.unit))
    return writes


@_project.register
def _(e: CampaignLaunched, m: Meta) -> list[Write]:
    writes = [
        _w(t.CAMPAIGNS, (e.campaign_id,), m, "launched", e.name, e.starts_on, e.ends_on, e.rounds)
    ]
    if e.county is not None:
        writes.append(_w(t.CAMPAIGNS, (e.campaign_id,), m, "county", e.county.county_campaign_id))
    for zone in e.zones:
        writes.append(
            _w(t.ZONES, (e.campaign_id, zone.zone_id), m, "launched", zone.name, zone.village_id)
        )
    return writes


@_project.register
def _(e: GroupsFormed, m: Meta) -> list[Write]:
    return [
        _w(
            t.GROUPS,
            (e.campaign_id, g.group_id),
            m,
            "formed",
            g.name,
            g.leader_id,
            len(g.member_ids),
        )
        for g in e.groups
    ]


def _plan(e: RoundScheduled | RoundReplanned, m: Meta) -> list[Write]:
    writes = [_w(t.ROUNDS, (e.campaign_id, e.round_no), m, "plan")]
    for a in e.assignments:
        for site_id in a.site_ids:
            key = (e.campaign_id, e.round_no, m.version, site_id)
            writes.append(_w(t.PLAN_SITES, key, m, "planned", a.group_id, a.zone_id))
    return writes


_project.register(RoundScheduled, _plan)
_project.register(RoundReplanned, _plan)


@_project.register
def _(e: RoundClosed, m: Meta) -> list[Write]:
    return [_w(t.ROUNDS, (e.campaign_id, e.round_no), m, "closed")]


def _flags(presence: Presence | None) -> str | None:
    return None if presence is None else ",".join(f.value for f in presence.flags)


@_project.register
def _(e: InspectionCompleted, m: Meta) -> list[Write]:
    writes = [
        _w(
            t.INSPECTIONS,
            (e.inspection_id,),
            m,
            "completed",
            e.campaign_id,
            e.round_no,
            e.site_id,
            e.village_id,
            e.group_id,
            e.inspected_at,
            e.items_checked,
            e.items_failed,
            len(e.hazard_ids),
            e.override_reason,
        )
    ]
    if e.presence is not None:
        writes.append(_w(t.INSPECTIONS, (e.inspection_id,), m, "presence", _flags(e.presence)))
    return writes


# The states' texts, read once: an enum member's .value is a Python-level property.
FOUND, NOTIFIED, RECTIFYING, REPORTED, REJECTED, VERIFIED = (
    s.value
    for s in (
        HazardState.FOUND,
        HazardState.NOTIFIED,
        HazardState.RECTIFYING,
        HazardState.REPORTED,
        HazardState.REJECTED,
        HazardState.VERIFIED,
    )
)


def _state(hazard_id: str, m: Meta, state: str, at: datetime) -> Write:
    return _w(t.HAZARDS, (hazard_id,), m, "state", state, at)


@_project.register
def _(e: HazardFound, m: Meta) -> list[Write]:
    found = _w(
        t.HAZARDS,
        (e.hazard_id,),
        m,
        "found",
        e.inspection_id,
        e.campaign_id,
        e.round_no,
        e.site_id,
        e.village_id,
        e.group_id,
        e.checklist_item_id,
        e.category.value,
        e.severity.value,
        e.description,
        e.found_at,
        e.recurrence_of,
    )
    writes = [found, _state(e.hazard_id, m, FOUND, e.found_at)]
    if e.actor is not None:
        writes.append(_w(t.HAZARDS, (e.hazard_id,), m, "found_by", e.actor.name))
    return writes


@_project.register
def _(e: HazardNotified, m: Meta) -> list[Write]:
    key = (e.hazard_id,)
    return [
        _w(
            t.HAZARDS,
            key,
            m,
            "notified",
            e.notified_at,
            e.notified_by_staff_id,
            e.told_person_name,
            e.signed,
        ),
        _state(e.hazard_id, m, NOTIFIED, e.notified_at),
    ]


@_project.register
def _(e: RectificationAssigned, m: Meta) -> list[Write]:
    key = (e.hazard_id,)
    return [
        _w(
            t.HAZARDS,
            key,
            m,
            "assigned",
            e.responsible_person_name,
            e.responsible_staff_id,
            e.supervising_village_id,
            m.time,
        ),
        _w(t.HAZARDS, key, m, "deadline", e.deadline),
        _state(e.hazard_id, m, RECTIFYING, m.time),
        _w(t.HAZARDS, key, m, "assigned_by", e.actor.name if e.actor else None),
    ]


@_project.register
def _(e: RectificationReported, m: Meta) -> list[Write]:
    return [
        _w(t.HAZARDS, (e.hazard_id,), m, "reported", e.reported_at),
        _state(e.hazard_id, m, REPORTED, e.reported_at),
        _w(
            t.HAZARDS,
            (e.hazard_id,),
            m,
            "report_detail",
            e.actor.name if e.actor else None,
            e.note,
        ),
    ]


@_project.register
def _(e: RectificationVerified, m: Meta) -> list[Write]:
    writes = [
        _w(t.HAZARDS, (e.hazard_id,), m, "verified", e.verified_by_staff_id, e.verified_at),
        _state(e.hazard_id, m, VERIFIED, e.verified_at),
    ]
    if e.presence is not None:
        writes.append(_w(t.HAZARDS, (e.hazard_id,), m, "verify_presence", _flags(e.presence)))
    return writes


@_project.register
def _(e: RectificationRejected, m: Meta) -> list[Write]:
    key = (e.hazard_id,)
    return [
        _w(t.HAZARDS, key, m, "rejected", e.rejected_by_staff_id, e.rejected_at, e.reason),
        _w(t.HAZARDS, key, m, "deadline", e.new_deadline),
        _state(e.hazard_id, m, REJECTED, e.rejected_at),
    ]


@_project.register
def _(e: DeadlineExtended, m: Meta) -> list[Write]:
    return [_w(t.HAZARDS, (e.hazard_id,), m, "deadline", e.new_deadline)]


@_project.register
def _(e: HazardEscalated, m: Meta) -> list[Write]:
    key = (e.hazard_id,)
    return [_w(t.HAZARDS, key, m, "escalated", e.level.value, e.escalated_at)]


@_project.register
def _(e: RectificationOverdue, m: Meta) -> list[Write]:
    return [_w(t.HAZARDS, (e.hazard_id,), m, "overdue_notice", e.overdue_at)]


@_project.register
def _(e: NoticeIssued, m: Meta) -> list[Write]:
    return [_w(t.HAZARDS, (h,), m, "notice", e.file_number) for h in e.hazard_ids]
