"""The projection's tables, described as data so that SQL and the in-memory model agree.

Every row is a set of *field groups*. Each group is written by exactly one kind of event
of one aggregate and carries the aggregate version of the event that wrote it; a write
replaces a group only when it is newer than what the row holds. Max-by-version is
idempotent and commutative, so the ledgers converge whatever order events arrive in
(a hazard before its place, a verification before its assignment) and however often
they are redelivered. No column is ever a counter: all figures are derived at read time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

SqlType = Literal["text", "integer", "boolean", "date", "timestamptz"]


@dataclass(frozen=True)
class Column:
    name: str
    type: SqlType = "text"


@dataclass(frozen=True)
class FieldGroup:
    name: str
    columns: tuple[Column, ...] = ()

    @property
    def version_column(self) -> str:
        return f"{self.name}_v"


@dataclass(frozen=True)
class Table:
    name: str
    keys: tuple[Column, ...]
    groups: tuple[FieldGroup, ...]

    @cached_property
    def _by_name(self) -> dict[str, FieldGroup]:
        return {group.name: group for group in self.groups}

    def group(self, name: str) -> FieldGroup:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{self.name} has no field group {name!r}") from None


def _cols(*spec: str) -> tuple[Column, ...]:
    """'name' or 'name:type'."""
    out = []
    for item in spec:
        name, _, kind = item.partition(":")
        out.append(Column(name, kind or "text"))  # type: ignore[arg-type]
    return tuple(out)


TOWNSHIPS = Table(
    "lg_townships",
    _cols("township_code"),
    (FieldGroup("registered", _cols("name", "county_name")),),
)
VILLAGES = Table(
    "lg_villages", _cols("village_id"), (FieldGroup("registered", _cols("code", "name")),)
)
SITES = Table(
    "lg_sites",
    _cols("site_id"),
    (
        FieldGroup("name", _cols("name")),
        FieldGroup("village", _cols("village_id")),
        FieldGroup("type", _cols("site_type")),
        FieldGroup("address", _cols("address")),
        FieldGroup("responsible", _cols("responsible_name")),
        FieldGroup("phone", _cols("responsible_phone_masked")),
        FieldGroup("closed", _cols("closed_on:date", "closed_reason")),
    ),
)
STAFF = Table(
    "lg_staff",
    _cols("staff_id"),
    (FieldGroup("name", _cols("name")), FieldGroup("unit", _cols("unit"))),
)
CAMPAIGNS = Table(
    "lg_campaigns",
    _cols("campaign_id"),
    (
        FieldGroup("launched", _cols("name", "starts_on:date", "ends_on:date", "rounds:integer")),
        # A township's part of a county campaign: the county campaign it belongs to.
        FieldGroup("county", _cols("county_campaign_id")),
    ),
)
ZONES = Table(
    "lg_zones",
    _cols("campaign_id", "zone_id"),
    (FieldGroup("launched", _cols("name", "village_id")),),
)
GROUPS = Table(
    "lg_groups",
    _cols("campaign_id", "group_id"),
    (FieldGroup("formed", _cols("name", "leader_id", "member_count:integer")),),
)
# The plan in force for a round is the newest RoundScheduled/RoundReplanned; each plan's
# places are kept under the plan's version and read through ROUNDS.plan_v.
ROUNDS = Table(
    "lg_rounds",
    _cols("campaign_id", "round_no:integer"),
    (FieldGroup("plan"), FieldGroup("closed")),
)
PLAN_SITES = Table(
    "lg_plan_sites",
    _cols("campaign_id", "round_no:integer", "plan_version:integer", "site_id"),
    (FieldGroup("planned", _cols("group_id", "zone_id")),),
)
INSPECTIONS = Table(
    "lg_inspections",
    _cols("inspection_id"),
    (
        FieldGroup(
            "completed",
            _cols(
                "campaign_id",
                "round_no:integer",
                "site_id",
                "village_id",
                "group_id",
                "inspected_at:timestamptz",
                "items_checked:integer",
                "items_failed:integer",
                "hazard_count:integer",
                "override_reason",
            ),
        ),
        # Comma-separated presence flags of the findings' evidence ('' none, null
        # before presence was assessed).
        FieldGroup("presence", _cols("presence_flags")),
    ),
)
HAZARDS = Table(
    "lg_hazards",
    _cols("hazard_id"),
    (
        FieldGroup(
            "found",
            _cols(
                "inspection_id",
                "campaign_id",
                "round_no:integer",
                "site_id",
                "village_id",
                "group_id",
                "checklist_item_id",
                "category",
                "severity",
                "description",
                "found_at:timestamptz",
                "recurrence_of",
            ),
        ),
        FieldGroup("state", _cols("state", "state_at:timestamptz")),
        FieldGroup(
            "notified",
            _cols("notified_at:timestamptz", "notified_by", "told_person", "signed:boolean"),
        ),
        FieldGroup(
            "assigned",
            _cols(
                "responsible_person",
                "responsible_staff_id",
                "supervising_village_id",
                "assigned_at:timestamptz",
            ),
        ),
        FieldGroup("deadline", _cols("deadline:timestamptz")),
        FieldGroup("reported", _cols("reported_at:timestamptz")),
        FieldGroup("verified", _cols("verified_by", "verified_at:timestamptz")),
        FieldGroup("rejected", _cols("rejected_by", "rejected_at:timestamptz", "rejection_reason")),
        FieldGroup("escalated", _cols("escalation_level", "escalated_at:timestamptz")),
        # Written from the notify context's own stream (its versions, not the hazard's).
        FieldGroup("overdue_notice", _cols("overdue_noticed_at:timestamptz")),
        FieldGroup("verify_presence", _cols("verify_presence_flags")),
        # Who did each step (the names their sign-in tokens carried), and the measures
        # the fix report describes (整改措施).
        FieldGroup("found_by", _cols("found_by_name")),
        FieldGroup("assigned_by", _cols("assigned_by_name")),
        FieldGroup("report_detail", _cols("reported_by_name", "measures")),
        # Written from the inspection's stream (NoticeIssued): the notice's file number.
        FieldGroup("notice", _cols("notice_file_number")),
    ),
)

ALL_TABLES: tuple[Table, ...] = (
    TOWNSHIPS,
    VILLAGES,
    SITES,
    STAFF,
    CAMPAIGNS,
    ZONES,
    GROUPS,
    ROUNDS,
    PLAN_SITES,
    INSPECTIONS,
    HAZARDS,
)
