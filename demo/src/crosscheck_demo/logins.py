"""The reference township's demo logins, for trying Crosscheck in a browser or with curl
on a local stack: a township admin, an inspector of one of the campaign's groups, the
committee of a village with open hazards, and a county viewer, all with one password.

The admin and the county viewer are made directly on the provider (nobody above them
exists to give them a login); the inspector's and the village's are given by the admin
through the registry's API, as a township gives logins to its people. Local only:
refused in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from crosscheck_demo.driver import FOLLOWED_UP_VILLAGE_LOGIN, Endpoints, Outcomes
from crosscheck_platform.identity import IdentityProvider, RealmRole, UserSpec

PASSWORD = "crosscheck-demo"


class DemoLoginsRefused(RuntimeError):
    pass


@dataclass(frozen=True)
class DemoLogin:
    username: str
    who: str


async def provision(
    provider: IdentityProvider,
    endpoints: Endpoints,
    outcome: Outcomes,
    admin_token: str,
    *,
    environment: str,
    township_name: str = "维的乡",
    county_name: str = "永仁县",
) -> list[DemoLogin]:
    if environment == "production":
        raise DemoLoginsRefused("demo logins with a published password are refused in production")
    county, township = outcome.county, outcome.township
    made = [
        await _direct(
            provider,
            UserSpec(
                username="weide-admin",
                role=RealmRole.TOWNSHIP_ADMIN,
                display_name=f"{township_name}安全办",
                county=county,
                township=township,
            ),
        ),
        await _direct(
            provider,
            UserSpec(
                username="yongren-county",
                role=RealmRole.COUNTY_VIEWER,
                display_name=f"{county_name}应急管理局",
                county=county,
            ),
        ),
    ]
    headers = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(timeout=60.0, headers=headers) as http:
        group = outcome.groups[0]
        member = next(m for m in group["member_ids"] if m != group["leader_id"])
        registry = f"{endpoints.registry}/v1/townships/{township}"
        inspector = await _given(
            http, f"{registry}/staff/{member}/login", "weide-inspector", role="inspector"
        )
        village_id = await _village_with_open_hazards(http, endpoints, outcome)
        village = await _given(
            http, f"{registry}/villages/{village_id}/login", FOLLOWED_UP_VILLAGE_LOGIN
        )
    made += [
        DemoLogin("weide-inspector", f"{inspector['name']}, inspector of group 1"),
        DemoLogin(FOLLOWED_UP_VILLAGE_LOGIN, f"{village['name']}, a village with open hazards"),
    ]
    return [made[0], made[2], made[3], made[1]]


async def _direct(provider: IdentityProvider, spec: UserSpec) -> DemoLogin:
    user = await provider.save_user(spec)
    await provider.set_password(user.id, PASSWORD, temporary=False)
    scope = spec.township or spec.county
    return DemoLogin(spec.username, f"{spec.display_name}, {spec.role.value} of {scope}")


async def _given(http: httpx.AsyncClient, url: str, username: str, **body: Any) -> dict[str, Any]:
    answer = await http.put(
        url, json={"username": username, "password": PASSWORD, "temporary": False, **body}
    )
    if answer.status_code != 200:
        raise DemoLoginsRefused(f"PUT {url} answered {answer.status_code}: {answer.text[:300]}")
    login: dict[str, Any] = answer.json()
    return login


async def _village_with_open_hazards(
    http: httpx.AsyncClient, endpoints: Endpoints, outcome: Outcomes
) -> str:
    if outcome.overdue_hazard_id is None:
        raise DemoLoginsRefused("the demo left no open hazard to follow up")
    answer = await http.get(f"{endpoints.hazards}/v1/hazards/{outcome.overdue_hazard_id}")
    if answer.status_code != 200:
        raise DemoLoginsRefused(f"hazards answered {answer.status_code}: {answer.text[:300]}")
    village_id: str = answer.json()["village_id"]
    return village_id
