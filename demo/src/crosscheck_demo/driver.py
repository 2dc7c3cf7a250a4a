"""The reference campaign through the services' public HTTP APIs, as a township's staff
would run it: import the inventory and staff, launch the campaign (its groups formed
by a seeded draw), schedule every round, record the inspections, run each hazard's
loop, let one deadline pass, and read the ledgers.

Every command carries an idempotency key or is checked before it is sent, and the
campaign id is kept in a state file, so running it again resumes or only reads.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import httpx

from crosscheck_contracts.events.hazards import HazardCategory
from crosscheck_demo.plan import HazardPlan, Item, Outcome, PlannedHazard, Visit, plan_hazards
from crosscheck_platform.auth import Principal, Role
from crosscheck_scenarios.registry import Scenario, reference_scenario

SERVICES = ("registry", "rotation", "hazards", "notify", "ledgers")
ROUNDS = 2
GROUPS = 8
OVERDUE_AFTER = timedelta(seconds=6)
FOLLOWED_UP_VILLAGE_LOGIN = "weide-village"


# The services close idle keep-alive connections after 5 s (uvicorn's default); ours
# are dropped sooner, so a request never goes out on a connection the server is closing.
_LIMITS = httpx.Limits(keepalive_expiry=2.0)


class DemoFailed(Exception):
    """A step did not go as the campaign needs; the message says which and why."""


class TokenSource(Protocol):
    """Access tokens of the identity provider the services trust, one per person the
    demo acts as (the township admin, each group's leader, a village committee)."""

    async def token(self, principal: Principal) -> str: ...


@dataclass(frozen=True)
class Endpoints:
    registry: str = "http://127.0.0.1:8101"
    rotation: str = "http://127.0.0.1:8102"
    hazards: str = "http://127.0.0.1:8103"
    notify: str = "http://127.0.0.1:8104"
    ledgers: str = "http://127.0.0.1:8105"

    @classmethod
    def on_ports(cls, ports: dict[str, int], host: str = "127.0.0.1") -> Endpoints:
        return cls(**{name: f"http://{host}:{port}" for name, port in ports.items()})

    def of(self, service: str) -> str:
        url: str = getattr(self, service)
        return url


@dataclass
class RoundCheck:
    round_no: int
    service_held: bool
    service_agrees_with_recorded: bool
    problems: list[str]
    """Found by the demo's own check from the plan and the registry's staff list."""


@dataclass
class Outcomes:
    county: str
    township: str
    campaign_id: str
    figures: dict[str, Any]
    round_checks: list[RoundCheck] = field(default_factory=list)
    inspections: int = 0
    hazards_by_category: dict[str, int] = field(default_factory=dict)
    overdue_hazard_id: str | None = None
    overdue_notices: list[dict[str, Any]] = field(default_factory=list)
    status_link: str | None = None
    """The public status page of the overdue hazard's notice (its QR code's link)."""
    xlsx: Path | None = None
    resumed: bool = False
    groups: list[dict[str, Any]] = field(default_factory=list)
    """The campaign's groups as the rotation service formed them (leader, members)."""


@dataclass
class DemoSettings:
    tokens: TokenSource
    endpoints: Endpoints = field(default_factory=Endpoints)
    state_dir: Path = Path("deploy/.state/demo")
    seed: int = 2024
    timeout_s: float = 90.0
    concurrency: int = 8
    mail_domain: str = "example.cn"
    progress: Callable[[str], None] = field(default=lambda _: None)


class Api:
    """One client per service, tokens per role, and the waiting."""

    def __init__(self, settings: DemoSettings, scenario: Scenario) -> None:
        self.settings = settings
        self.scenario = scenario
        self.clients = {
            name: httpx.AsyncClient(
                base_url=settings.endpoints.of(name), timeout=30.0, limits=_LIMITS
            )
            for name in SERVICES
        }
        # The village the demo leaves hazards open in acts with the login it is given at
        # the end (demo.logins), so giving it that login finds the same account.
        self.village_usernames: dict[str, str] = {}
        self.scenario_site_names: dict[str, str] = {}

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    async def auth(
        self,
        role: Role = Role.TOWNSHIP_ADMIN,
        *,
        staff_id: str | None = None,
        village_id: str | None = None,
        key: str | None = None,
    ) -> dict[str, str]:
        principal = Principal(
            subject=f"demo-{role.value}-{staff_id or village_id or 'admin'}",
            name="演示用户",
            username=self.village_usernames.get(village_id or ""),
            role=role,
            county=self.scenario.county_code,
            township=self.scenario.township_code,
            staff_id=staff_id,
            village_id=village_id,
        )
        # The token source keeps tokens and renews them before they expire.
        token = await self.settings.tokens.token(principal)
        headers = {"Authorization": f"Bearer {token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        expect: Iterable[int] = (200, 201),
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        response = await self.clients[service].request(
            method, path, headers=headers or await self.auth(), **kwargs
        )
        if response.status_code not in set(expect):
            raise DemoFailed(
                f"{service}: {method} {path} answered {response.status_code}: {response.text[:500]}"
            )
        return response

    async def json(self, service: str, method: str, path: str, **kwargs: Any) -> Any:
        return (await self.call(service, method, path, **kwargs)).json()

    async def until(self, what: str, probe: Callable[[], Awaitable[bool]]) -> None:
        """Poll until `probe` holds; the error names what was awaited."""
        deadline = time.monotonic() + self.settings.timeout_s
        while not await probe():
            if time.monotonic() > deadline:
                raise DemoFailed(
                    f"gave up after {self.settings.timeout_s:.0f} s waiting for {what}"
                )
            await asyncio.sleep(0.25)


def visits_of(plan: dict[str, Any], sites: dict[str, dict[str, Any]]) -> list[Visit]:
    return [
        Visit(
            r["round_no"],
            a["group_id"],
            s,
            sites[s]["village_id"],
            sites[s]["site_type"],
            f"{sites[s]['village_name']}/{sites[s]['name']}",
        )
        for r in plan["schedule"]
        for a in r["assignments"]
        for s in a["site_ids"]
    ]


def independent_check(
    plan: dict[str, Any], staff: dict[str, dict[str, Any]], open_sites: set[str]
) -> dict[int, list[str]]:
    """The recusal rules on every round from the plan and the registry's staff list,
    without the rotation's own checker: nobody inspects their home village or a
    village or place they declared a conflict with; every group is led by a leadership
    member; every open place is visited exactly once per round."""
    zone_village = {z["zone_id"]: z["village_id"] for z in plan["zones"]}
    groups = {g["group_id"]: g for g in plan["groups"]}
    found: dict[int, list[str]] = {}
    for r in plan["schedule"]:
        problems: list[str] = []
        visited: list[str] = []
        for a in r["assignments"]:
            group = groups[a["group_id"]]
            village = zone_village.get(a["zone_id"])
            if village is None:
                problems.append(f"zone {a['zone_id']} is not one of the campaign's")
            if not staff[group["leader_id"]]["is_leadership"]:
                problems.append(f"{a['group_id']} is led by {group['leader_id']}, not a leader")
            for member in group["member_ids"]:
                person = staff[member]
                if person["home_village_id"] == village:
                    problems.append(f"{member} inspects home village {village}")
                if village in (person["conflict_village_ids"] or []):
                    problems.append(f"{member} inspects declared village {village}")
                clash = set(person["conflict_site_ids"] or []) & set(a["site_ids"])
                if clash:
                    problems.append(f"{member} inspects declared place(s) {sorted(clash)}")
            visited += a["site_ids"]
        if sorted(visited) != sorted(open_sites):
            problems.append("the round does not visit every open place exactly once")
        found[r["round_no"]] = problems
    return found


_NOT_KNOWN_YET: dict[int, set[str] | None] = {403: {"not_assigned"}, 422: None}


def _not_known_yet(response: httpx.Response) -> bool:
    if response.status_code not in _NOT_KNOWN_YET:
        return False
    codes = _NOT_KNOWN_YET[response.status_code]
    return codes is None or response.json().get("error", {}).get("code") in codes


class Campaign:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.township = api.scenario.township_code
        self.state_file = api.settings.state_dir / f"{self.township}.json"
        self.sem = asyncio.Semaphore(api.settings.concurrency)

    # -- state kept between runs --------------------------------------------------------

    def load_state(self) -> dict[str, Any]:
        if self.state_file.exists():
            state: dict[str, Any] = json.loads(self.state_file.read_text())
            return state
        return {}

    def save_state(self, **changes: Any) -> None:
        state = self.load_state() | changes
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps(state, ensure_ascii=False, indent=1))

    # -- registry ---------------------------------------------------------------------

    async def import_inventory(self) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
        scenario, base = self.api.scenario, f"/v1/townships/{self.township}"
        exists = await self.api.call("registry", "GET", base, expect=(200, 404))
        if exists.status_code == 404:
            await self.api.call(
                "registry",
                "PUT",
                base,
                json={"name": scenario.township_name, "county_name": scenario.county_name},
            )
        # Importing the same workbook again changes nothing (the registry diffs it).
        await self.api.call(
            "registry",
            "POST",
            f"{base}/import",
            content=scenario.to_xlsx(),
            headers={
                **await self.api.auth(),
                "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            },
        )
        sites = await self.api.json("registry", "GET", f"{base}/sites", params={"limit": 500})
        staff = await self.api.json("registry", "GET", f"{base}/staff", params={"limit": 500})
        if sites["total"] != len(scenario.sites) or staff["total"] != len(scenario.staff):
            raise DemoFailed(
                f"registry lists {sites['total']} places and {staff['total']} staff, "
                f"the workbook {len(scenario.sites)} and {len(scenario.staff)}"
            )
        by_site = {s["id"]: s for s in sites["items"]}
        by_staff = {s["id"]: s for s in staff["items"]}
        conflicts = sum(
            bool(s["conflict_village_ids"] or s["conflict_site_ids"]) for s in by_staff.values()
        )
        expected = {
            "sites": len(by_site),
            "staff": len(by_staff),
            "staff_with_conflicts": conflicts,
        }

        async def rotation_knows_roster() -> bool:
            known = await self.api.json("rotation", "GET", f"{base}/roster")
            return all(known[k] == v for k, v in expected.items())

        await self.api.until(
            f"the rotation service to learn the roster {expected}", rotation_knows_roster
        )
        return by_site, by_staff

    # -- rotation ---------------------------------------------------------------------

    async def launch_and_schedule(self) -> dict[str, Any]:
        base = f"/v1/townships/{self.township}/campaigns"
        campaign_id = self.load_state().get("campaign_id")
        if campaign_id is not None:
            found = await self.api.call(
                "rotation", "GET", f"{base}/{campaign_id}", expect=(200, 404)
            )
            if found.status_code == 404:
                campaign_id = None  # the state file outlived the database
        if campaign_id is None:
            launched = await self.api.json(
                "rotation",
                "POST",
                base,
                json={
                    "name": "安全生产循环互查专项行动",
                    "starts_on": datetime.now(UTC).date().isoformat(),
                    "ends_on": (datetime.now(UTC).date() + timedelta(days=90)).isoformat(),
                    "rounds": ROUNDS,
                    "groups": GROUPS,
                    "seed": self.api.settings.seed,
                },
            )
            campaign_id = launched["campaign_id"]
            self.save_state(campaign_id=campaign_id, seed=self.api.settings.seed)
        path = f"{base}/{campaign_id}"
        plan: dict[str, Any] = await self.api.json("rotation", "GET", path)
        if not plan["schedule"]:
            await self.api.call(
                "rotation", "POST", f"{path}/schedule", json={"seed": self.api.settings.seed}
            )
            plan = await self.api.json("rotation", "GET", path)
        return plan

    async def check_rounds(
        self, plan: dict[str, Any], staff: dict[str, dict[str, Any]], sites: set[str]
    ) -> list[RoundCheck]:
        own = independent_check(plan, staff, sites)
        path = f"/v1/townships/{self.township}/campaigns/{plan['campaign_id']}"
        checks = []
        for r in plan["schedule"]:
            n = r["round_no"]
            answer = await self.api.json("rotation", "GET", f"{path}/rounds/{n}/check")
            checks.append(RoundCheck(n, answer["held"], answer["agrees_with_recorded"], own[n]))
        return checks

    async def close_round(self, plan: dict[str, Any], round_no: int) -> None:
        if plan.get("last_closed_round", 0) >= round_no:
            return
        path = f"/v1/townships/{self.township}/campaigns/{plan['campaign_id']}"
        await self.api.call(
            "rotation", "POST", f"{path}/rounds/{round_no}/close", expect=(200, 409)
        )

    # -- hazards ----------------------------------------------------------------------

    async def checklists(self, site_types: set[str]) -> dict[str, list[Item]]:
        lists = {}
        for site_type in sorted(site_types):
            body = await self.api.json("hazards", "GET", f"/v1/checklists/{site_type}")
            lists[site_type] = [
                Item(i["item_id"], HazardCategory(i["category"])) for i in body["items"]
            ]
        return lists

    async def inspect(
        self,
        plan: dict[str, Any],
        visit: Visit,
        items: list[Item],
        found: list[PlannedHazard],
    ) -> dict[str, str]:
        """Record one visit; the hazard id of each failed item."""
        group = next(g for g in plan["groups"] if g["group_id"] == visit.group_id)
        failed = {h.item_id: h for h in found}
        answers = [
            {"item_id": i.item_id, "passed": True} for i in items if i.item_id not in failed
        ] + [
            {"item_id": h.item_id, "passed": False, "severity": "major" if h.major else "general"}
            for h in found
        ]
        body = {
            "campaign_id": plan["campaign_id"],
            "round_no": visit.round_no,
            "site_id": visit.site_id,
            "group_id": visit.group_id,
            "present_staff_ids": group["member_ids"],
            "answers": answers,
        }
        key = f"demo:{plan['campaign_id']}:{visit.round_no}:{visit.site_id}"
        headers = await self.api.auth(Role.GROUP_LEADER, staff_id=group["leader_id"], key=key)
        deadline = time.monotonic() + self.api.settings.timeout_s
        async with self.sem:
            while True:
                response = await self.api.clients["hazards"].post(
                    "/v1/inspections", json=body, headers=headers
                )
                # Refused until the hazards service has the place (422) and the round's
                # plan and groups (403) from the registry's and rotation's events.
                if not _not_known_yet(response) or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.5)
        if response.status_code != 201:
            raise DemoFailed(
                f"hazards: recording {visit.site_id} in round {visit.round_no} answered "
                f"{response.status_code}: {response.text[:500]}"
            )
        return {h["checklist_item_id"]: h["hazard_id"] for h in response.json()["hazards"]}

    async def loop(
        self, hazard: PlannedHazard, hazard_id: str, leader: str, deadline: datetime | None = None
    ) -> None:
        """Run one hazard's loop as far as its planned outcome goes."""
        outcome = hazard.outcome
        if outcome is Outcome.OPEN_FOUND:
            return
        api, path = self.api, f"/v1/hazards/{hazard_id}"
        by_leader = Role.GROUP_LEADER

        async def step(name: str, body: dict[str, Any], role: Role = by_leader, **who: Any) -> Any:
            if role is by_leader:
                who = {"staff_id": leader}
            headers = await api.auth(role, key=f"demo:{hazard_id}:{name}", **who)
            async with self.sem:
                return await api.json(
                    "hazards", "POST", f"{path}/{name.split('-')[0]}", json=body, headers=headers
                )

        site = api.scenario_site_names.get(hazard.visit.site_id, "负责人")
        await step("notify", {"told_person_name": site, "signed": True})
        if outcome is Outcome.OPEN_NOTIFIED:
            return
        assign: dict[str, Any] = {"responsible_person_name": site}
        if deadline is not None:
            assign["deadline"] = deadline.isoformat()
        assigned = await step("assign", assign)
        if outcome in (Outcome.OPEN_ASSIGNED, Outcome.OVERDUE):
            return
        village = {"village_id": hazard.visit.village_id}
        if hazard.extended:
            later = datetime.fromisoformat(assigned["deadline"]) + timedelta(days=7)
            await step(
                "extend",
                {"new_deadline": later.isoformat(), "reason": "需采购消防器材，申请延期"},
                Role.TOWNSHIP_ADMIN,
            )
        await step("report", {"note": "已按要求整改"}, Role.VILLAGE_COMMITTEE, **village)
        if outcome is Outcome.OPEN_REPORTED:
            return
        if hazard.rejected_once:
            await step("reject", {"reason": "现场复核整改不到位"})
            await step(
                "report-2", {"note": "已再次整改并建立台账"}, Role.VILLAGE_COMMITTEE, **village
            )
        verify: dict[str, Any] = {"note": "现场复核合格，予以销号"}
        if hazard.major:
            # A major hazard is verified with a photo taken at the re-check.
            photo = await api.json(
                "hazards",
                "POST",
                "/v1/evidence",
                content=_PNG + hazard_id.encode(),
                headers=await api.auth(by_leader, staff_id=leader) | {"Content-Type": "image/png"},
            )
            verify["evidence_ids"] = [photo["evidence_id"]]
        await step("verify", verify)


_PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
"""The start of a PNG file: the evidence store checks the type by its first bytes."""


async def run(settings: DemoSettings) -> Outcomes:
    scenario = reference_scenario(settings.seed)
    api = Api(settings, scenario)
    try:
        return await _run(api)
    finally:
        await api.close()


async def _run(api: Api) -> Outcomes:
    campaign = Campaign(api)
    township = campaign.township
    say = api.settings.progress
    sites, staff = await campaign.import_inventory()
    say(f"inventory imported: {len(sites)} places, {len(staff)} staff")
    api.scenario_site_names = {s: row["responsible_name"] for s, row in sites.items()}
    plan = await campaign.launch_and_schedule()
    campaign_id: str = plan["campaign_id"]
    say(f"campaign {campaign_id}: {len(plan['groups'])} groups, {len(plan['schedule'])} rounds")
    checks = await campaign.check_rounds(plan, staff, set(sites))
    state = campaign.load_state()
    figures_path = "/v1/figures"
    params = {"campaign_id": campaign_id}
    if state.get("completed"):
        read = await api.json("ledgers", "GET", figures_path, params=params)
        return Outcomes(
            api.scenario.county_code,
            township,
            campaign_id,
            read["total"],
            checks,
            inspections=read["total"]["inspections"],
            overdue_hazard_id=state.get("overdue_hazard_id"),
            overdue_notices=await _notices(api, township, state.get("overdue_hazard_id")),
            status_link=await _status_link(api, state.get("overdue_hazard_id")),
            xlsx=await _export(api, campaign, campaign_id),
            resumed=True,
            groups=plan["groups"],
        )

    visits = visits_of(plan, sites)
    checklists = await campaign.checklists({v.site_type for v in visits})
    hazard_plan = plan_hazards(api.settings.seed, visits, checklists)
    leader_of = {g["group_id"]: g["leader_id"] for g in plan["groups"]}

    hazard_ids: dict[tuple[Visit, str], str] = {}
    for round_no in sorted({v.round_no for v in visits}):
        batch = [v for v in visits if v.round_no == round_no]
        found = await asyncio.gather(
            *(campaign.inspect(plan, v, checklists[v.site_type], hazard_plan.at(v)) for v in batch)
        )
        for visit, ids in zip(batch, found, strict=True):
            hazard_ids |= {(visit, item): hid for item, hid in ids.items()}
        await campaign.close_round(plan, round_no)
        say(f"round {round_no}: {len(batch)} inspections recorded")

    def id_of(h: PlannedHazard) -> str:
        return hazard_ids[(h.visit, h.item_id)]

    await _contacts(api, township, sites, hazard_plan)
    late = next(h for h in hazard_plan.hazards if h.outcome is Outcome.OVERDUE)
    api.village_usernames[late.visit.village_id] = FOLLOWED_UP_VILLAGE_LOGIN
    rest = [h for h in hazard_plan.hazards if h.outcome is not Outcome.OVERDUE]
    await asyncio.gather(*(campaign.loop(h, id_of(h), leader_of[h.visit.group_id]) for h in rest))
    say(f"rectification loops run for {len(rest)} hazards")

    # One deadline passes while we wait: the notify service's overdue notices go out.
    late_id = id_of(late)
    due = datetime.now(UTC).replace(microsecond=0) + OVERDUE_AFTER
    await campaign.loop(late, late_id, leader_of[late.visit.group_id], deadline=due)
    campaign.save_state(overdue_hazard_id=late_id)

    async def overdue_settled() -> bool:
        notices = await _notices(api, township, late_id)
        to_people = [n for n in notices if n["kind"] == "overdue" and n["recipient"]]
        return bool(to_people) and all(n["state"] in ("sent", "failed") for n in to_people)

    await api.until(f"the overdue notices of hazard {late_id} to go out", overdue_settled)
    say(f"hazard {late_id} went overdue; its notices went out")

    expected = {
        "places_inspected": len(sites),
        "inspections": len(visits),
        "hazards": len(hazard_plan.hazards),
        "verified": hazard_plan.count(Outcome.VERIFIED),
        "overdue": 1,
    }
    figures: dict[str, Any] = {}

    async def ledgers_caught_up() -> bool:
        nonlocal figures
        figures = (await api.json("ledgers", "GET", figures_path, params=params))["total"]
        return all(figures[k] == v for k, v in expected.items())

    await api.until(f"the ledgers to show {expected}", ledgers_caught_up)
    campaign.save_state(completed=True)
    return Outcomes(
        api.scenario.county_code,
        township,
        campaign_id,
        figures,
        checks,
        inspections=len(visits),
        hazards_by_category={c.value: n for c, n in hazard_plan.by_category.most_common()},
        overdue_hazard_id=late_id,
        overdue_notices=await _notices(api, township, late_id),
        status_link=await _status_link(api, late_id),
        xlsx=await _export(api, campaign, campaign_id),
        groups=plan["groups"],
    )


async def _contacts(
    api: Api, township: str, sites: dict[str, dict[str, Any]], plan: HazardPlan
) -> None:
    """E-mail contacts for whom the open hazards' notices go to: the places' responsible
    persons, their village committees and the township's leadership."""
    base = f"/v1/townships/{township}/contacts"
    domain = api.settings.mail_domain
    targets = {("township_leadership", township, f"leaders-{township}@{domain}")}
    for h in plan.open:
        targets.add(("responsible_person", h.visit.site_id, f"site-{h.visit.site_id}@{domain}"))
        targets.add(("village_committee", h.visit.village_id, f"cwh-{h.visit.village_id}@{domain}"))
    for role, ref, address in sorted(targets):
        await api.call(
            "notify",
            "PUT",
            f"{base}/{role}/{ref}",
            json={"channel": "email", "address": address, "language": "zh"},
        )


async def _notices(api: Api, township: str, hazard_id: str | None) -> list[dict[str, Any]]:
    if hazard_id is None:
        return []
    body = await api.json(
        "notify", "GET", f"/v1/townships/{township}/notices", params={"hazard_id": hazard_id}
    )
    items: list[dict[str, Any]] = body["items"]
    return items


_STATUS_LINK = re.compile(r'<a href="([^"]+/public/notices/[^"]+)"')


async def _status_link(api: Api, hazard_id: str | None) -> str | None:
    """The link the QR code on the hazard's rectification notice opens: printing the
    notice issues it, and the notice shows it beside the code."""
    if hazard_id is None:
        return None
    hazard = await api.json("hazards", "GET", f"/v1/hazards/{hazard_id}")
    path = f"/v1/inspections/{hazard['inspection_id']}/notice"
    found = _STATUS_LINK.search((await api.call("hazards", "GET", path)).text)
    if found is None:
        raise DemoFailed(f"hazards: the notice at {path} carries no status link")
    return html.unescape(found.group(1))


async def _export(api: Api, campaign: Campaign, campaign_id: str) -> Path:
    response = await api.call(
        "ledgers", "GET", "/v1/exports/ledgers.xlsx", params={"campaign_id": campaign_id}
    )
    path = campaign.api.settings.state_dir / f"ledgers-{campaign.township}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(response.content)
    return path
