"""Every event Crosscheck publishes, one module per bounded context."""

from __future__ import annotations

from crosscheck_contracts.base import Event
from crosscheck_contracts.catalogue import EventCatalogue, Upcaster
from crosscheck_contracts.events import hazards, notify, registry, rotation
from crosscheck_contracts.events.hazards import (
    Actor,
    DeadlineExtended,
    EscalationCause,
    EscalationLevel,
    EvidencePresence,
    HazardCategory,
    HazardEscalated,
    HazardFound,
    HazardNotified,
    InspectionCompleted,
    NoticeIssued,
    Presence,
    PresenceFlag,
    RectificationAssigned,
    RectificationRejected,
    RectificationReported,
    RectificationVerified,
    Severity,
)
from crosscheck_contracts.events.notify import (
    Channel,
    NoticeKind,
    NotificationFailed,
    RecipientRole,
    RectificationOverdue,
    ReminderSent,
)
from crosscheck_contracts.events.registry import (
    GeoPoint,
    SiteClosed,
    SiteRegistered,
    SiteType,
    SiteUpdated,
    StaffConflictDeclared,
    StaffDeactivated,
    StaffEnrolled,
    StaffUpdated,
    TownshipRegistered,
    VillageRegistered,
)
from crosscheck_contracts.events.rotation import (
    Assignment,
    CampaignCancelled,
    CampaignLaunched,
    CheckResult,
    Group,
    GroupsFormed,
    RotationRules,
    RoundClosed,
    RoundReplanned,
    RoundScheduled,
    Zone,
)

ALL_EVENTS: tuple[type[Event], ...] = (
    registry.EVENTS + rotation.EVENTS + hazards.EVENTS + notify.EVENTS
)

# When an event gets schema_version N+1, its v N file stays published and an upcaster
# (event_type, N) -> function(v N data) -> v N+1 data goes here, so history stays readable.
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    (model.event_type, 1): hazards.actor_unknown
    for model in hazards.EVENTS
    if model is not hazards.NoticeIssued  # born at v1 with `actor`
} | {
    (RectificationVerified.event_type, 2): hazards.no_override,
    (RectificationVerified.event_type, 3): hazards.presence_unknown,
    (InspectionCompleted.event_type, 2): hazards.presence_unknown,
    (HazardEscalated.event_type, 2): hazards.escalation_cause,
    (GroupsFormed.event_type, 1): rotation.draw_unknown,
    (CampaignLaunched.event_type, 1): rotation.township_run,
    (StaffConflictDeclared.event_type, 1): registry.no_staff_named,
    (RoundScheduled.event_type, 1): rotation.roster_unknown,
    (RoundReplanned.event_type, 1): rotation.roster_unknown,
}


def build_catalogue() -> EventCatalogue:
    """A fresh catalogue of every event (tests may add upcasters without side effects)."""
    return EventCatalogue(ALL_EVENTS, UPCASTERS)


CATALOGUE = build_catalogue()

__all__ = [
    "ALL_EVENTS",
    "CATALOGUE",
    "UPCASTERS",
    "Actor",
    "Assignment",
    "CampaignCancelled",
    "CampaignLaunched",
    "Channel",
    "CheckResult",
    "DeadlineExtended",
    "EscalationCause",
    "EscalationLevel",
    "EvidencePresence",
    "GeoPoint",
    "Group",
    "GroupsFormed",
    "HazardCategory",
    "HazardEscalated",
    "HazardFound",
    "HazardNotified",
    "InspectionCompleted",
    "NoticeIssued",
    "NoticeKind",
    "NotificationFailed",
    "Presence",
    "PresenceFlag",
    "RecipientRole",
    "RectificationAssigned",
    "RectificationOverdue",
    "RectificationRejected",
    "RectificationReported",
    "RectificationVerified",
    "ReminderSent",
    "RotationRules",
    "RoundClosed",
    "RoundReplanned",
    "RoundScheduled",
    "Severity",
    "SiteClosed",
    "SiteRegistered",
    "SiteType",
    "SiteUpdated",
    "StaffConflictDeclared",
    "StaffDeactivated",
    "StaffEnrolled",
    "StaffUpdated",
    "TownshipRegistered",
    "VillageRegistered",
    "Zone",
    "build_catalogue",
]
