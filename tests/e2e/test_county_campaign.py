"""A county campaign (县级乡镇交叉互查) end to end on the real stack: the registry,
rotation, hazards and ledgers services as their own processes (own schemas and topic
namespace), driven over HTTP only, with tokens of the session's local issuer.

Three townships import their inventory; a county admin launches a campaign over them
(one team each); the county's viewer checks every round with the independent checker;
in round 1 each team records the inspection of every place of the township it was sent
to through the hazards API, with a photo of the hazard it finds kept in that township
(a team cannot record its own township's places, nor a township it was not sent to);
the county closes round 1 everywhere; and the county's figures in the ledgers add up
the three townships, each named, the teams by name, and the county campaign's own."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from crosscheck_contracts.topics import Topics
from crosscheck_platform.auth import Role
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import ensure_topics
from crosscheck_scenarios.registry import Scenario, reference_scenario
from crosscheck_testing.auth import bearer
from crosscheck_testing.fixtures import new_namespace
from crosscheck_testing.infra import Infra
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

pytestmark = pytest.mark.infra

SERVICES = ("registry", "rotation", "hazards", "ledgers")
COUNTY = "532331"
TOWNSHIPS = (("532331101", "东山乡"), ("532331102", "西河镇"), ("532331103", "南岭乡"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WAIT_S = 90.0
PHOTO = b"\x89PNG\r\n\x1a\n" + b"county-photo" * 40


@dataclass
class Stack:
    infra: Infra
    clients: dict[str, httpx.AsyncClient]

    def headers(
        self, role: Role, township: str | None = None, staff_id: str | None = None
    ) -> dict[str, str]:
        return bearer(self.infra.issuer, role, county=COUNTY, township=township, staff_id=staff_id)


@pytest.fixture
async def stack(infra: Infra, tmp_path: Path) -> AsyncIterator[Stack]:
    namespace = new_namespace("county")
    await ensure_topics(infra.kafka_bootstrap, Topics(namespace).all, partitions=3)
    try:
        async with AsyncExitStack() as running:
            clients = {}
            for name in SERVICES:
                port = free_port()
                env = service_env(
                    infra, schema=f"{namespace}_{name}", namespace=namespace, port=port
                )
                # No logins at the shared identity provider for these made-up staff.
                env = {k: v for k, v in env.items() if not k.startswith("CROSSCHECK_IDP_")}
                log = (tmp_path / f"{name}.log").open("wb")
                base, _ = await running.enter_async_context(
                    service_process(f"crosscheck_{name}.main", env, port, stdout=log, stderr=log)
                )
                clients[name] = await running.enter_async_context(
                    httpx.AsyncClient(base_url=base, timeout=60.0)
                )
            yield Stack(infra, clients)
    finally:
        cleanup = await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
        for name in SERVICES:
            await cleanup.execute(f"DROP SCHEMA IF EXISTS {namespace}_{name} CASCADE")
        await cleanup.close()


async def _ok(call: Awaitable[httpx.Response], status: int = 200) -> Any:
    response = await call
    assert response.status_code == status, response.text[:800]
    return response.json()


async def _until(what: str, probe: Callable[[], Awaitable[Any]]) -> Any:
    deadline = time.monotonic() + WAIT_S
    while not (found := await probe()):
        if time.monotonic() > deadline:
            pytest.fail(f"waited {WAIT_S:.0f} s for {what}")
        await asyncio.sleep(0.3)
    return found


def _scenario(i: int, code: str, name: str) -> Scenario:
    return reference_scenario(
        100 + i,
        county_code=COUNTY,
        township_code=code,
        township_name=name,
        villages=3,
        sites=6 + i,
        staff=7,
        leaders=3,
        conflicts=1,
    )


async def _import(stack: Stack, scenario: Scenario) -> tuple[dict[str, Any], dict[str, Any]]:
    """The township's inventory through the registry's API; its places and staff by id."""
    registry, code = stack.clients["registry"], scenario.township_code
    admin = stack.headers(Role.TOWNSHIP_ADMIN, code)
    base = f"/v1/townships/{code}"
    body = {"name": scenario.township_name, "county_name": scenario.county_name}
    await _ok(registry.put(base, json=body, headers=admin), 201)
    await _ok(
        registry.post(
            f"{base}/import",
            content=scenario.to_xlsx(),
            headers={**admin, "Content-Type": XLSX},
        )
    )
    sites = await _ok(registry.get(f"{base}/sites", params={"limit": 500}, headers=admin))
    staff = await _ok(registry.get(f"{base}/staff", params={"limit": 500}, headers=admin))
    assert sites["total"] == len(scenario.sites) and staff["total"] == len(scenario.staff)
    return {s["id"]: s for s in sites["items"]}, {s["id"]: s for s in staff["items"]}


async def test_a_county_campaign_planned_checked_and_run_through_round_one(
    stack: Stack,
) -> None:
    rotation, hazards, ledgers = (stack.clients[n] for n in ("rotation", "hazards", "ledgers"))
    sites: dict[str, dict[str, Any]] = {}
    staff: dict[str, dict[str, Any]] = {}
    places_of: dict[str, int] = {}
    for i, (code, name) in enumerate(TOWNSHIPS):
        scenario = _scenario(i, code, name)
        found_sites, found_staff = await _import(stack, scenario)
        sites |= found_sites
        staff |= {k: v | {"township_code": code} for k, v in found_staff.items()}
        places_of[code] = len(found_sites)
        expected = {"name": name, "sites": len(found_sites), "staff": len(found_staff)}

        async def rotation_knows(code: str = code, expected: dict[str, Any] = expected) -> bool:
            known = await _ok(
                rotation.get(
                    f"/v1/townships/{code}/roster",
                    headers=stack.headers(Role.TOWNSHIP_ADMIN, code),
                )
            )
            return all(known[k] == v for k, v in expected.items())

        await _until(f"the rotation to learn {name}'s roster", rotation_knows)

    # -- planned: the county admin launches; a county viewer reads and checks ------------
    county_admin = stack.headers(Role.COUNTY_ADMIN)
    viewer = stack.headers(Role.COUNTY_VIEWER)
    base = f"/v1/counties/{COUNTY}/campaigns"
    campaign = await _ok(
        rotation.post(
            base,
            json={
                "name": "2026年冬季全县乡镇交叉互查",
                "starts_on": "2026-12-07",
                "ends_on": "2027-02-28",
                "rounds": 2,
                "townships": [code for code, _ in TOWNSHIPS],
                "team_size": 3,
                "seed": 1105,
            },
            headers=county_admin,
        ),
        201,
    )
    cid = campaign["county_campaign_id"]
    names = dict(TOWNSHIPS)
    assert [t["name"] for t in campaign["townships"]] == [n for _, n in TOWNSHIPS]
    team_of = {t["team"]["group_id"]: t for t in campaign["townships"]}
    for t in campaign["townships"]:
        members = t["team"]["members"]
        assert len(members) == 3 and t["team"]["name"] == f"{t['name']}检查组"
        assert [m["name"] for m in members] == [staff[m["staff_id"]]["name"] for m in members]
        assert all(staff[m["staff_id"]]["township_code"] == t["township_code"] for m in members)
        assert staff[t["team"]["leader"]["staff_id"]]["is_leadership"]
    for r in campaign["schedule"]:
        assert sorted(v["township_code"] for v in r["visits"]) == sorted(names)
        for v in r["visits"]:
            own = team_of[v["group_id"]]["township_code"]
            assert v["township_code"] != own, v  # no team in its own township
            assert v["township"] == names[v["township_code"]]
            assert v["places"] == [sites[s]["name"] for s in v["site_ids"]]
    first = {v["group_id"]: v["township_code"] for v in campaign["schedule"][0]["visits"]}
    second = {v["group_id"]: v["township_code"] for v in campaign["schedule"][1]["visits"]}
    assert all(first[g] != second[g] for g in first)  # rotation across townships
    for n in (1, 2):
        check = await _ok(rotation.get(f"{base}/{cid}/rounds/{n}/check", headers=viewer))
        assert check["held"] and check["agrees_with_recorded"], check
        assert {c["rule"] for c in check["checks"]} >= {"no_home_village", "every_site_covered"}

    # -- run through round 1: each team records the places of the township it visits ---
    visits = campaign["schedule"][0]["visits"]
    lists: dict[str, list[str]] = {}

    async def record(v: dict[str, Any], n: int, site_id: str) -> int:
        """The visiting team's leader records place `site_id` (the first of a visit
        with one hazard); the hazards found."""
        team = team_of[v["group_id"]]
        leader = team["team"]["leader"]["staff_id"]
        member_ids = [m["staff_id"] for m in team["team"]["members"]]
        as_leader = stack.headers(Role.GROUP_LEADER, team["township_code"], staff_id=leader)
        site_type = sites[site_id]["site_type"]
        if site_type not in lists:
            checklist = await _ok(hazards.get(f"/v1/checklists/{site_type}", headers=as_leader))
            lists[site_type] = [i["item_id"] for i in checklist["items"]]
        proof: list[str] = []
        if n == 0:
            # The photo of the hazard, kept where the inspection citing it is recorded.
            photo = await _ok(
                hazards.post(
                    "/v1/evidence",
                    content=PHOTO,
                    params={"campaign_id": v["campaign_id"]},
                    headers={**as_leader, "Content-Type": "image/png"},
                ),
                201,
            )
            proof.append(photo["evidence_id"])
        answers = [
            {"item_id": item, "passed": not (n == 0 and k == 0)}
            | (
                {"severity": "general", "description": "灭火器过期", "evidence_ids": proof}
                if n == 0 and k == 0
                else {}
            )
            for k, item in enumerate(lists[site_type])
        ]
        body = {
            "campaign_id": v["campaign_id"],
            "round_no": 1,
            "site_id": site_id,
            "group_id": v["group_id"],
            "present_staff_ids": member_ids,
            "answers": answers,
        }

        async def recorded() -> Any:
            response = await hazards.post("/v1/inspections", json=body, headers=as_leader)
            if response.status_code in (403, 422) and "not_assigned" in response.text:
                return None  # the hazards service has not read the plan yet
            if response.status_code == 422 and "site_unknown" in response.text:
                return None  # nor the place
            assert response.status_code == 201, response.text[:800]
            return response.json()

        done = await _until(f"{team['team']['name']} to record {sites[site_id]['name']}", recorded)
        return len(done["hazards"])

    hazards_found = 0
    for v in visits:  # all but the last place of each visit, for now
        for n, site_id in enumerate(v["site_ids"][:-1]):
            hazards_found += await record(v, n, site_id)

    # A team cannot record places of its own township, nor of one it was not sent to.
    stray = visits[0]
    team = team_of[stray["group_id"]]
    as_leader = stack.headers(
        Role.GROUP_LEADER, team["township_code"], staff_id=team["team"]["leader"]["staff_id"]
    )
    elsewhere = next(
        v
        for v in visits
        if v["township_code"] not in (stray["township_code"], team["township_code"])
    )
    refused = await hazards.post(
        "/v1/inspections",
        json={
            "campaign_id": elsewhere["campaign_id"],
            "round_no": 1,
            "site_id": elsewhere["site_ids"][-1],
            "group_id": stray["group_id"],
            "present_staff_ids": [team["team"]["leader"]["staff_id"]],
            "answers": [{"item_id": "any", "passed": True}],
        },
        headers=as_leader,
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "not_assigned"
    assert team["team"]["name"] in refused.json()["error"]["message"]  # named, not an id
    # Its own township's part: the team is not the one sent there.
    own_part = next(v for v in visits if v["township_code"] == team["township_code"])
    refused = await hazards.post(
        "/v1/inspections",
        json={
            "campaign_id": own_part["campaign_id"],
            "round_no": 1,
            "site_id": own_part["site_ids"][-1],
            "group_id": stray["group_id"],
            "present_staff_ids": [team["team"]["leader"]["staff_id"]],
            "answers": [{"item_id": "any", "passed": True}],
        },
        headers=as_leader,
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_assigned"

    for v in visits:  # the places left, by the teams sent there
        hazards_found += await record(v, len(v["site_ids"]) - 1, v["site_ids"][-1])
    assert hazards_found == len(visits)

    # -- the county closes round 1 in every township ---------------------------------
    closed = await _ok(rotation.post(f"{base}/{cid}/rounds/1/close", headers=county_admin))
    assert closed["events"] == ["RoundClosed"] * 3
    after = await _ok(rotation.get(f"{base}/{cid}", headers=viewer))
    assert after["last_closed_round"] == 1 and after["stage"] == "in_progress"

    # -- the figures roll up to the county --------------------------------------------
    total_places = sum(places_of.values())

    async def rolled_up() -> Any:
        figures = await _ok(ledgers.get("/v1/figures", params={"by": "township"}, headers=viewer))
        total = figures["total"]
        if (total["inspections"], total["hazards"]) != (total_places, len(visits)):
            return None
        return figures

    figures = await _until("the county's figures in the ledgers", rolled_up)
    by_township = {f["key"]: f for f in figures["items"]}
    assert set(by_township) == set(names)
    for code, name in TOWNSHIPS:
        row = by_township[code]
        assert row["label"] == name
        assert (row["inspections"], row["places_inspected"], row["hazards"]) == (
            places_of[code],
            places_of[code],
            1,
        )
    # The county campaign's own figures: its id stands for its three parts.
    own_campaign = await _ok(
        ledgers.get("/v1/figures", params={"campaign_id": cid, "by": "township"}, headers=viewer)
    )
    assert own_campaign["total"] == figures["total"]
    assert len(own_campaign["items"]) == 3
    teams = await _ok(ledgers.get("/v1/figures", params={"by": "group"}, headers=viewer))
    assert {f["label"] for f in teams["items"]} == {f"{n}检查组" for _, n in TOWNSHIPS}
    # A township's own admin reads its part in its own figures.
    code, name = TOWNSHIPS[0]
    own = await _ok(
        ledgers.get(
            "/v1/figures",
            params={"campaign_id": after["townships"][0]["campaign_id"]},
            headers=stack.headers(Role.TOWNSHIP_ADMIN, code),
        )
    )
    assert own["total"]["inspections"] == places_of[code]
