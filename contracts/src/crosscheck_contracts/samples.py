"""One valid, mutually consistent sample of every event: test data for every package.

The samples describe one small slice of the reference scenario (维的乡, 永仁县): the
same ids recur across events, so a test can feed several samples into a projection
and expect them to join up. Use `sample(HazardFound, severity=Severity.MAJOR)` to vary
a field; the result is validated like any other event.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid5

from crosscheck_contracts.base import Event
from crosscheck_contracts.envelope import Envelope, Tenant
from crosscheck_contracts.events import (
    Assignment,
    CampaignCancelled,
    CampaignLaunched,
    Channel,
    CheckResult,
    DeadlineExtended,
    EscalationLevel,
    EvidencePresence,
    GeoPoint,
    Group,
    GroupsFormed,
    HazardCategory,
    HazardEscalated,
    HazardFound,
    HazardNotified,
    InspectionCompleted,
    NoticeIssued,
    NoticeKind,
    NotificationFailed,
    Presence,
    PresenceFlag,
    RecipientRole,
    RectificationAssigned,
    RectificationOverdue,
    RectificationRejected,
    RectificationReported,
    RectificationVerified,
    ReminderSent,
    RotationRules,
    RoundClosed,
    RoundReplanned,
    RoundScheduled,
    Severity,
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
    Zone,
)

E = TypeVar("E", bound=Event)

COUNTY_CODE = "532327"
TOWNSHIP_CODE = "532327103"
TENANT = Tenant(county=COUNTY_CODE, township=TOWNSHIP_CODE)

VILLAGE_ID = "village-01"
OTHER_VILLAGE_ID = "village-02"
SITE_ID = "site-0001"
OTHER_SITE_ID = "site-0002"
LEADER_ID = "staff-01"
MEMBER_ID = "staff-02"
CAMPAIGN_ID = "campaign-2024-spring"
GROUP_ID = "group-1"
OTHER_GROUP_ID = "group-2"
ZONE_ID = "zone-01"
OTHER_ZONE_ID = "zone-02"
INSPECTION_ID = "inspection-0001"
HAZARD_ID = "hazard-0001"
NOTICE_ID = "notice-0001"

# A fixed clock: samples never depend on when the tests run.
FOUND_AT = datetime(2024, 4, 9, 2, 30, tzinfo=UTC)  # 10:30 in Asia/Shanghai
DEADLINE = FOUND_AT + timedelta(days=7)

ROSTER_VERSION = "5f2b" * 16
_RULES = RotationRules(no_repeat_within_rounds=None, balance_workload=True, reshuffle_members=False)
_ASSIGNMENTS = [
    Assignment(group_id=GROUP_ID, zone_id=OTHER_ZONE_ID, site_ids=[OTHER_SITE_ID]),
    Assignment(group_id=OTHER_GROUP_ID, zone_id=ZONE_ID, site_ids=[SITE_ID]),
]
_CHECKS = [
    CheckResult(rule="no_home_village", held=True, detail="no member inspects their home village"),
    CheckResult(rule="no_repeat_within_rounds", held=True, detail="no group repeats a zone"),
]


def _samples() -> list[Event]:
    return [
        TownshipRegistered(
            township_code=TOWNSHIP_CODE,
            name="维的乡",
            county_code=COUNTY_CODE,
            county_name="永仁县",
        ),
        VillageRegistered(
            village_id=VILLAGE_ID,
            code="532327103201",
            name="维的村委会",
            township_code=TOWNSHIP_CODE,
        ),
        SiteRegistered(
            site_id=SITE_ID,
            name="维的小卖部",
            village_id=VILLAGE_ID,
            site_type=SiteType.SMALL_SHOP,
            address="维的村委会维的村12号",
            location=GeoPoint(lat=26.05, lon=101.55),
            responsible_name="李某某",
            responsible_phone_masked="138****5678",
        ),
        SiteUpdated(site_id=SITE_ID, site_type=SiteType.SUPERMARKET),
        SiteClosed(site_id=OTHER_SITE_ID, reason="已停业", closed_on=date(2024, 5, 1)),
        StaffEnrolled(
            staff_id=LEADER_ID,
            name="张三",
            unit="乡党政办公室",
            is_leadership=True,
            home_village_id=None,
        ),
        StaffUpdated(staff_id=MEMBER_ID, unit="应急管理办公室", is_leadership=False),
        StaffConflictDeclared(
            staff_id=MEMBER_ID,
            village_ids=[OTHER_VILLAGE_ID],
            site_ids=[],
            staff_ids=[LEADER_ID],
            reason="亲属在该村经营场所,与带队领导系亲属",
        ),
        StaffDeactivated(staff_id=MEMBER_ID, reason="调离本乡"),
        CampaignLaunched(
            campaign_id=CAMPAIGN_ID,
            name="2024年安全生产专项行动",
            starts_on=date(2024, 4, 1),
            ends_on=date(2024, 6, 30),
            rounds=3,
            zones=[
                Zone(zone_id=ZONE_ID, name="维的片区", village_id=VILLAGE_ID, site_ids=[SITE_ID]),
                Zone(
                    zone_id=OTHER_ZONE_ID,
                    name="另一片区",
                    village_id=OTHER_VILLAGE_ID,
                    site_ids=[OTHER_SITE_ID],
                ),
            ],
            rules=_RULES,
        ),
        GroupsFormed(
            campaign_id=CAMPAIGN_ID,
            groups=[
                Group(
                    group_id=GROUP_ID,
                    name="第一检查组",
                    leader_id=LEADER_ID,
                    member_ids=[LEADER_ID, MEMBER_ID],
                    eligible_zone_ids=[ZONE_ID, OTHER_ZONE_ID],
                ),
                Group(
                    group_id=OTHER_GROUP_ID,
                    name="第二检查组",
                    leader_id="staff-03",
                    member_ids=["staff-03"],
                    eligible_zone_ids=[ZONE_ID],
                ),
            ],
            seed=20240401,
            roster_version=ROSTER_VERSION,
            drawn=True,
        ),
        RoundScheduled(
            campaign_id=CAMPAIGN_ID,
            round_no=1,
            assignments=_ASSIGNMENTS,
            seed=7,
            objective=0,
            checks=_CHECKS,
            roster_version=ROSTER_VERSION,
        ),
        RoundReplanned(
            campaign_id=CAMPAIGN_ID,
            round_no=1,
            assignments=_ASSIGNMENTS,
            seed=8,
            objective=1,
            checks=_CHECKS,
            roster_version=ROSTER_VERSION,
            reason="一名组员调离",
        ),
        RoundClosed(campaign_id=CAMPAIGN_ID, round_no=1),
        CampaignCancelled(campaign_id=CAMPAIGN_ID, reason="开始日期填错,重新发起"),
        InspectionCompleted(
            inspection_id=INSPECTION_ID,
            campaign_id=CAMPAIGN_ID,
            round_no=1,
            site_id=SITE_ID,
            village_id=VILLAGE_ID,
            group_id=OTHER_GROUP_ID,
            inspected_at=FOUND_AT,
            present_staff_ids=["staff-03"],
            items_checked=12,
            items_failed=1,
            hazard_ids=[HAZARD_ID],
            presence=Presence(
                radius_m=200,
                place_location=GeoPoint(lat=24.88, lon=100.33),
                evidence=[
                    EvidencePresence(
                        evidence_id="ev-0001",
                        taken_at=FOUND_AT,
                        time_source="exif",
                        location=GeoPoint(lat=24.8801, lon=100.3302),
                        distance_m=23,
                    )
                ],
            ),
        ),
        HazardFound(
            hazard_id=HAZARD_ID,
            inspection_id=INSPECTION_ID,
            campaign_id=CAMPAIGN_ID,
            round_no=1,
            site_id=SITE_ID,
            village_id=VILLAGE_ID,
            group_id=OTHER_GROUP_ID,
            checklist_item_id="small_shop.fire.extinguisher",
            category=HazardCategory.FIRE_SAFETY,
            severity=Severity.GENERAL,
            description="灭火器过期",
            found_at=FOUND_AT,
            evidence_ids=["photo-0001"],
        ),
        HazardNotified(
            hazard_id=HAZARD_ID,
            notified_at=FOUND_AT,
            notified_by_staff_id="staff-03",
            told_person_name="李某某",
            signed=True,
        ),
        RectificationAssigned(
            hazard_id=HAZARD_ID,
            responsible_person_name="李某某",
            supervising_village_id=VILLAGE_ID,
            deadline=DEADLINE,
        ),
        RectificationReported(
            hazard_id=HAZARD_ID,
            reported_at=DEADLINE - timedelta(days=2),
            note="已更换灭火器",
            evidence_ids=["photo-0002"],
        ),
        RectificationVerified(
            hazard_id=HAZARD_ID,
            verified_by_staff_id=LEADER_ID,
            verified_at=DEADLINE - timedelta(days=1),
            note="现场复核合格",
            presence=Presence(radius_m=200, flags=[PresenceFlag.NO_POSITION]),
        ),
        RectificationRejected(
            hazard_id=HAZARD_ID,
            rejected_by_staff_id=LEADER_ID,
            rejected_at=DEADLINE - timedelta(days=1),
            reason="灭火器压力不足",
            new_deadline=DEADLINE + timedelta(days=7),
        ),
        DeadlineExtended(
            hazard_id=HAZARD_ID,
            previous_deadline=DEADLINE,
            new_deadline=DEADLINE + timedelta(days=14),
            reason="配件待货",
            approved_by_staff_id=LEADER_ID,
        ),
        HazardEscalated(
            hazard_id=HAZARD_ID,
            level=EscalationLevel.TOWNSHIP_LEADERSHIP,
            reason="逾期未整改",
            escalated_at=DEADLINE + timedelta(days=1),
        ),
        NoticeIssued(
            inspection_id=INSPECTION_ID,
            hazard_ids=[HAZARD_ID],
            file_number="维的乡互查整改〔2024〕第12号",
            status_url="https://hazards.example.gov.cn/public/notices/Xq3v9Lr0aTf2mWc8HkP1sY7dNb4eUg6J",
            issued_at=FOUND_AT + timedelta(hours=1),
        ),
        ReminderSent(
            notice_id=NOTICE_ID,
            hazard_id=HAZARD_ID,
            kind=NoticeKind.REMINDER,
            channel=Channel.WEBHOOK,
            recipient_role=RecipientRole.VILLAGE_COMMITTEE,
            sent_at=DEADLINE - timedelta(days=1),
        ),
        RectificationOverdue(
            hazard_id=HAZARD_ID, deadline=DEADLINE, overdue_at=DEADLINE + timedelta(minutes=1)
        ),
        NotificationFailed(
            notice_id=NOTICE_ID,
            hazard_id=HAZARD_ID,
            kind=NoticeKind.OVERDUE,
            channel=Channel.SMS,
            recipient_role=RecipientRole.RESPONSIBLE_PERSON,
            reason="gateway returned 503",
            attempts=5,
        ),
    ]


_BY_TYPE: dict[type[Event], Event] = {type(event): event for event in _samples()}

# Namespace for deterministic envelope ids: the same sample always gets the same id.
_ID_NAMESPACE = UUID("6f1c2f4e-3b0a-4c1e-9d51-0c7c5a1f8e20")


def all_samples() -> list[Event]:
    """One sample of every event type, in catalogue order."""
    return list(_BY_TYPE.values())


def sample(event_class: type[E], **overrides: Any) -> E:
    """The sample of `event_class`, with some fields replaced (and validated again)."""
    try:
        base = _BY_TYPE[event_class]
    except KeyError:
        raise LookupError(f"no sample for {event_class.__name__}") from None
    return event_class(**{**dict(base), **overrides})


def sample_envelope(
    event: Event,
    *,
    tenant: Tenant = TENANT,
    aggregate_version: int = 1,
    time: datetime = FOUND_AT,
) -> Envelope:
    """An envelope for `event`, keyed by its aggregate, with a deterministic id."""
    aggregate_id = event.aggregate_id()
    return Envelope.for_event(
        event,
        tenant=tenant,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
        event_id=uuid5(_ID_NAMESPACE, f"{event.event_type}/{aggregate_id}/{aggregate_version}"),
        time=time,
    )
