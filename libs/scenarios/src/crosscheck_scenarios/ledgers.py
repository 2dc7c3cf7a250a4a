"""A seeded campaign of events in the reference scenario's shape, for tests and benchmarks.

One township, villages split into zones, places of mixed types, staff formed into groups
each led by a leadership member, rounds that rotate the groups across the zones, and a
fixed number of hazards spread over the inspections, each running its closed loop
(told → assigned → reported → verified, some rejected once, some extended) except the
ones left open. `lenient_group` makes one group find only a fraction of what the others
would (the leniency the calibration view must show).

The generator keeps its own tally (`Scenario.expected`) so tests can check the ledgers
against what was produced, not against numbers copied by hand.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from crosscheck_contracts.base import BoundedContext, Event
from crosscheck_contracts.envelope import Envelope, Tenant
from crosscheck_contracts.events import (
    Assignment,
    CampaignLaunched,
    CheckResult,
    DeadlineExtended,
    EscalationLevel,
    Group,
    GroupsFormed,
    HazardCategory,
    HazardEscalated,
    HazardFound,
    HazardNotified,
    InspectionCompleted,
    RectificationAssigned,
    RectificationOverdue,
    RectificationRejected,
    RectificationReported,
    RectificationVerified,
    RotationRules,
    RoundClosed,
    RoundReplanned,
    RoundScheduled,
    Severity,
    SiteRegistered,
    SiteType,
    SiteUpdated,
    StaffEnrolled,
    TownshipRegistered,
    VillageRegistered,
    Zone,
)

START = datetime(2024, 4, 1, 1, 0, tzinfo=UTC)
AS_OF = datetime(2024, 6, 30, 4, 0, tzinfo=UTC)
"""The clock the figures are read at: after the campaign, before anyone fixes the rest."""

_VILLAGE_NAMES = ["维的", "大村", "宜就", "鱼丈", "麻柳", "阿者", "迤资", "新村", "大坪", "河边"]
_SITE_TYPES = [
    SiteType.SMALL_SHOP,
    SiteType.SMALL_RESTAURANT,
    SiteType.SUPERMARKET,
    SiteType.SCHOOL,
    SiteType.ENTERPRISE,
    SiteType.SMALL_HOTEL,
    SiteType.SMALL_WORKSHOP,
    SiteType.SMALL_CLINIC,
]
_CATEGORIES = list(HazardCategory)
_SURNAMES = "李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


@dataclass(frozen=True)
class Produced:
    context: BoundedContext
    envelope: Envelope
    event: Event


@dataclass
class Expected:
    places_inspected: int = 0
    inspections: int = 0
    hazards: int = 0
    verified: int = 0
    open: int = 0
    overdue: int = 0
    major: int = 0
    hazards_by_group: Counter[str] = field(default_factory=Counter)


@dataclass
class Scenario:
    tenant: Tenant
    events: list[Produced]
    expected: Expected
    group_ids: list[str]
    campaign_id: str


class _Stream:
    """Assigns aggregate versions and deterministic event ids."""

    def __init__(self, tenant: Tenant, rng: random.Random) -> None:
        self.tenant = tenant
        self.rng = rng
        self.versions: Counter[str] = Counter()
        self.events: list[Produced] = []

    def emit(self, event: Event, at: datetime) -> None:
        aggregate = event.aggregate_id()
        # Notify keeps its own streams keyed by hazard: versions are per context.
        self.versions[f"{event.context}:{aggregate}"] += 1
        envelope = Envelope.for_event(
            event,
            tenant=self.tenant,
            aggregate_id=aggregate,
            aggregate_version=self.versions[f"{event.context}:{aggregate}"],
            event_id=uuid.UUID(int=self.rng.getrandbits(128), version=4),
            time=at,
        )
        self.events.append(Produced(event.context, envelope, event))


def generate(
    seed: int,
    *,
    township: str = "532327103",
    county: str = "532327",
    villages: int = 7,
    sites: int = 68,
    staff: int = 49,
    groups: int = 8,
    rounds: int = 2,
    hazards: int = 164,
    open_hazards: int = 5,
    lenient_group: int | None = None,
    lenient_factor: float = 0.15,
) -> Scenario:
    rng = random.Random(seed)
    tenant = Tenant(county=county, township=township)
    out = _Stream(tenant, rng)
    prefix = f"{township}-"
    t0 = START
    out.emit(
        TownshipRegistered(
            township_code=township, name="维的乡", county_code=county, county_name="永仁县"
        ),
        t0,
    )
    village_ids = [f"{prefix}v{n + 1}" for n in range(villages)]
    for n, vid in enumerate(village_ids):
        name = _VILLAGE_NAMES[n % len(_VILLAGE_NAMES)] + ("村委会" if n < 10 else f"{n}村委会")
        out.emit(
            VillageRegistered(
                village_id=vid, code=f"{township}{201 + n:03d}", name=name, township_code=township
            ),
            t0,
        )
    # Places: spread over the villages, the first village a little larger.
    site_village = [village_ids[min(n % (villages + 1), villages - 1)] for n in range(sites)]
    site_ids = [f"{prefix}s{n + 1:04d}" for n in range(sites)]
    village_of = dict(zip(site_ids, site_village, strict=True))
    for n, (sid, vid) in enumerate(zip(site_ids, site_village, strict=True)):
        kind = _SITE_TYPES[rng.randrange(len(_SITE_TYPES))]
        out.emit(
            SiteRegistered(
                site_id=sid,
                name=f"场所{n + 1:03d}",
                village_id=vid,
                site_type=kind,
                address=f"{vid}{n + 1}号",
                responsible_name=rng.choice(_SURNAMES) + "某某",
                responsible_phone_masked="138****" + f"{rng.randrange(10_000):04d}",
            ),
            t0,
        )
    for sid in site_ids[:3]:
        out.emit(SiteUpdated(site_id=sid, responsible_name="新负责人"), t0 + timedelta(hours=1))
    staff_ids = [f"{prefix}p{n + 1:03d}" for n in range(staff)]
    for n, pid in enumerate(staff_ids):
        out.emit(
            StaffEnrolled(
                staff_id=pid,
                name=rng.choice(_SURNAMES) + f"干部{n + 1}",
                unit="乡党政办公室" if n < groups else "应急管理办公室",
                is_leadership=n < groups,
                home_village_id=None,
            ),
            t0,
        )
    # Zones: one per village, the largest village split until there is one per group.
    by_village: dict[str, list[str]] = {}
    for sid, vid in zip(site_ids, site_village, strict=True):
        by_village.setdefault(vid, []).append(sid)
    zone_sites: list[tuple[str, list[str]]] = [(v, s) for v, s in by_village.items()]
    while len(zone_sites) < groups:
        zone_sites.sort(key=lambda z: -len(z[1]))
        vid, places = zone_sites.pop(0)
        half = len(places) // 2
        zone_sites += [(vid, places[:half]), (vid, places[half:])]
    zone_sites.sort(key=lambda z: z[1][0])
    zones = [
        Zone(zone_id=f"{prefix}z{n + 1}", name=f"第{n + 1}片区", village_id=vid, site_ids=s)
        for n, (vid, s) in enumerate(zone_sites)
    ]
    campaign = f"{prefix}c1"
    out.emit(
        CampaignLaunched(
            campaign_id=campaign,
            name="安全生产专项行动",
            starts_on=date(2024, 4, 1),
            ends_on=date(2024, 6, 30),
            rounds=rounds,
            zones=zones,
            rules=RotationRules(balance_workload=True, reshuffle_members=False),
        ),
        t0 + timedelta(hours=2),
    )
    group_ids = [f"{prefix}g{n + 1}" for n in range(groups)]
    members: dict[str, list[str]] = {g: [staff_ids[n]] for n, g in enumerate(group_ids)}
    for n, pid in enumerate(staff_ids[groups:]):
        members[group_ids[n % groups]].append(pid)
    out.emit(
        GroupsFormed(
            campaign_id=campaign,
            groups=[
                Group(
                    group_id=g,
                    name=f"第{n + 1}检查组",
                    leader_id=members[g][0],
                    member_ids=members[g],
                    eligible_zone_ids=[z.zone_id for z in zones],
                )
                for n, g in enumerate(group_ids)
            ],
            seed=seed,
        ),
        t0 + timedelta(hours=3),
    )
    checks = [CheckResult(rule="no_home_village", held=True, detail="无人检查本村")]
    # Rotation: in round r, group n inspects zone (n + r) mod zones.
    visits: list[tuple[int, str, str, datetime]] = []  # (round, group, site, at)
    for r in range(1, rounds + 1):
        assignments = [
            Assignment(
                group_id=g,
                zone_id=zones[(n + r - 1) % len(zones)].zone_id,
                site_ids=zones[(n + r - 1) % len(zones)].site_ids,
            )
            for n, g in enumerate(group_ids[: len(zones)])
        ]
        round_start = START + timedelta(days=30 * (r - 1) + 1)
        out.emit(
            RoundScheduled(
                campaign_id=campaign,
                round_no=r,
                assignments=assignments,
                seed=r,
                objective=1,
                checks=checks,
            ),
            round_start,
        )
        if r == rounds:  # the last round is replanned once (same plan, a newer version)
            out.emit(
                RoundReplanned(
                    campaign_id=campaign,
                    round_no=r,
                    assignments=assignments,
                    seed=r,
                    objective=0,
                    checks=checks,
                    reason="组员调整",
                ),
                round_start + timedelta(hours=1),
            )
        for a in assignments:
            for k, sid in enumerate(a.site_ids):
                at = round_start + timedelta(days=1 + k // 3, hours=k % 3)
                visits.append((r, a.group_id, sid, at))
    # Hazards: spread over the visits by weight (places differ; a lenient group sees less).
    site_weight = {s: rng.uniform(0.5, 1.5) for s in site_ids}
    weights = [
        site_weight[s] * (lenient_factor if g == _lenient(group_ids, lenient_group) else 1.0)
        for _, g, s, _ in visits
    ]
    allotted = Counter(rng.choices(range(len(visits)), weights=weights, k=hazards))
    hazard_rows: list[tuple[str, str, str, datetime]] = []  # (hazard, group, village, at)
    expected = Expected(places_inspected=len({v[2] for v in visits}), inspections=len(visits))
    for n, (r, g, sid, at) in enumerate(visits):
        inspection = f"{prefix}i{n + 1:05d}"
        ids = [f"{inspection}-h{k + 1}" for k in range(allotted[n])]
        vid = village_of[sid]
        out.emit(
            InspectionCompleted(
                inspection_id=inspection,
                campaign_id=campaign,
                round_no=r,
                site_id=sid,
                village_id=vid,
                group_id=g,
                inspected_at=at,
                present_staff_ids=members[g][:3],
                items_checked=12,
                items_failed=min(len(ids), 12),
                hazard_ids=ids,
            ),
            at,
        )
        for k, hid in enumerate(ids):
            hazard_rows.append((hid, g, vid, at))
            category = _CATEGORIES[rng.randrange(len(_CATEGORIES))]
            major = rng.random() < 0.05
            out.emit(
                HazardFound(
                    hazard_id=hid,
                    inspection_id=inspection,
                    campaign_id=campaign,
                    round_no=r,
                    site_id=sid,
                    village_id=vid,
                    group_id=g,
                    checklist_item_id=f"item.{category.value}.{k + 1}",
                    category=category,
                    severity=Severity.MAJOR if major else Severity.GENERAL,
                    description="现场检查发现隐患",
                    found_at=at,
                ),
                at,
            )
            expected.hazards += 1
            expected.major += major
            expected.hazards_by_group[g] += 1
            if major:
                out.emit(
                    HazardEscalated(
                        hazard_id=hid,
                        level=EscalationLevel.TOWNSHIP_LEADERSHIP,
                        reason="重大隐患",
                        escalated_at=at,
                    ),
                    at,
                )
    # The open ones are the last found (still within their loop at the end).
    open_ids = {row[0] for row in hazard_rows[len(hazard_rows) - open_hazards :]}
    for hid, g, vid, at in hazard_rows:
        _loop(out, rng, hid, members[g], vid, at, closes=hid not in open_ids, expected=expected)
        expected.verified += hid not in open_ids
    expected.open = expected.hazards - expected.verified
    for r in range(1, rounds + 1):
        out.emit(RoundClosed(campaign_id=campaign, round_no=r), START + timedelta(days=30 * r))
    return Scenario(tenant, out.events, expected, group_ids, campaign)


def _lenient(group_ids: list[str], index: int | None) -> str | None:
    return None if index is None else group_ids[index]


def _loop(
    out: _Stream,
    rng: random.Random,
    hid: str,
    group: list[str],
    village: str,
    found: datetime,
    *,
    closes: bool,
    expected: Expected,
) -> None:
    leader = group[0]
    deadline = found + timedelta(days=7)
    out.emit(
        HazardNotified(
            hazard_id=hid,
            notified_at=found,
            notified_by_staff_id=leader,
            told_person_name="场所负责人",
            signed=rng.random() < 0.95,
        ),
        found,
    )
    out.emit(
        RectificationAssigned(
            hazard_id=hid,
            responsible_person_name="场所负责人",
            supervising_village_id=village,
            deadline=deadline,
        ),
        found + timedelta(minutes=5),
    )
    if rng.random() < 0.1:
        new = deadline + timedelta(days=7)
        out.emit(
            DeadlineExtended(
                hazard_id=hid,
                previous_deadline=deadline,
                new_deadline=new,
                reason="需采购消防器材",
                approved_by_staff_id=leader,
            ),
            found + timedelta(days=3),
        )
        deadline = new
    if not closes:
        if deadline < AS_OF:
            expected.overdue += 1
            out.emit(
                RectificationOverdue(hazard_id=hid, deadline=deadline, overdue_at=deadline),
                deadline,
            )
        return
    reported = deadline - timedelta(days=2)
    out.emit(RectificationReported(hazard_id=hid, reported_at=reported, note="已整改"), reported)
    checker = group[1] if len(group) > 1 else leader
    if rng.random() < 0.1:
        rejected = reported + timedelta(hours=20)
        out.emit(
            RectificationRejected(
                hazard_id=hid,
                rejected_by_staff_id=checker,
                rejected_at=rejected,
                reason="整改不到位",
                new_deadline=rejected + timedelta(days=5),
            ),
            rejected,
        )
        reported = rejected + timedelta(days=3)
        out.emit(
            RectificationReported(hazard_id=hid, reported_at=reported, note="再次整改"), reported
        )
    verified = reported + timedelta(hours=20)
    out.emit(
        RectificationVerified(hazard_id=hid, verified_by_staff_id=checker, verified_at=verified),
        verified,
    )
