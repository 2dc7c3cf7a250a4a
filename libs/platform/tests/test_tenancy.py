"""The tenancy rule table as pure functions, every role against every kind of data;
the narrowing of lists; the township dependencies through HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends

from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.http import create_app
from crosscheck_platform.settings import ServiceSettings
from crosscheck_platform.tenancy import (
    Holding,
    Level,
    OutOfScope,
    Reading,
    ReadOnly,
    acting_tenant,
    authorize,
    county_of_township,
    may_read,
    may_write,
    reading,
)
from crosscheck_platform.tenancy.deps import TownshipScope, township_records, township_villages
from crosscheck_testing.issuer import LocalIssuer
from crosscheck_testing.tenancy import assert_out_of_scope

COUNTY, OTHER_COUNTY = "532327", "532328"
T, T2 = "532327101", "532327102"
V, W = "v-dazhuang", "v-xiaozhuang"


def principal(role: Role, *, county: str = COUNTY, township: str | None = T) -> Principal:
    county_role = role in (Role.COUNTY_VIEWER, Role.COUNTY_ADMIN)
    return Principal(
        subject=role.value,
        name="测试",
        role=role,
        county=county,
        township=None if county_role else township,
        village_id=V if role is Role.VILLAGE_COMMITTEE else None,
    )


HOLDINGS = {
    "county": Holding(COUNTY),
    "other county": Holding(OTHER_COUNTY),
    "township": Holding(COUNTY, T),
    "other township": Holding(COUNTY, T2),
    "village": Holding(COUNTY, T, frozenset({V})),
    "other village": Holding(COUNTY, T, frozenset({W})),
    "both villages": Holding(COUNTY, T, frozenset({V, W})),
    "village of other township": Holding(COUNTY, T2, frozenset({V})),
    "other county's township": Holding(OTHER_COUNTY, "532328101"),
}

# The rule table of the module docstring, as read (r) and write (w) per kind of data.
EXPECTED: dict[Role, dict[str, str]] = {
    Role.COUNTY_ADMIN: {
        "county": "rw",
        "township": "r",
        "other township": "r",
        "village": "r",
        "other village": "r",
        "both villages": "r",
        "village of other township": "r",
    },
    Role.COUNTY_VIEWER: {
        "county": "r",
        "township": "r",
        "other township": "r",
        "village": "r",
        "other village": "r",
        "both villages": "r",
        "village of other township": "r",
    },
    **{
        role: {
            "township": "rw",
            "village": "rw",
            "other village": "rw",
            "both villages": "rw",
        }
        for role in (Role.TOWNSHIP_ADMIN, Role.GROUP_LEADER, Role.INSPECTOR)
    },
    Role.VILLAGE_COMMITTEE: {"village": "rw", "both villages": "rw"},
}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_every_role_against_every_kind_of_data(role: Role) -> None:
    who = principal(role)
    for name, holding in HOLDINGS.items():
        expected = EXPECTED[role].get(name, "")
        got = ("r" if may_read(who, holding) else "") + ("w" if may_write(who, holding) else "")
        assert got == expected, (role.value, name)


def test_levels_and_townships_named_by_code() -> None:
    assert [h.level for h in (Holding(COUNTY), Holding(COUNTY, T))] == [
        Level.COUNTY,
        Level.TOWNSHIP,
    ]
    assert Holding.of(Tenant(county=COUNTY, township=T), None, V).level is Level.VILLAGE
    assert county_of_township(T) == COUNTY
    assert county_of_township("53232710") is None and county_of_township("abc") is None
    assert Holding.of_township("532328101") == Holding(OTHER_COUNTY, "532328101")
    # A viewer of another county reaches no township of this one, held anywhere or not.
    outsider = principal(Role.COUNTY_VIEWER, county=OTHER_COUNTY)
    assert not may_read(outsider, Holding.of_township(T))
    assert not may_read(principal(Role.COUNTY_VIEWER), Holding.of_township("not-a-code"))
    # A token whose township is not of its county reaches nothing.
    confused = principal(Role.TOWNSHIP_ADMIN, county=OTHER_COUNTY)
    assert not may_read(confused, Holding.of_township(T))


def test_refusals_are_out_of_scope_or_read_only() -> None:
    with pytest.raises(OutOfScope):
        authorize(principal(Role.TOWNSHIP_ADMIN), HOLDINGS["other township"])
    with pytest.raises(OutOfScope):
        authorize(principal(Role.VILLAGE_COMMITTEE), HOLDINGS["township"], write=True)
    with pytest.raises(ReadOnly):
        authorize(principal(Role.COUNTY_VIEWER), HOLDINGS["township"], write=True)
    with pytest.raises(ReadOnly):
        authorize(principal(Role.COUNTY_ADMIN), HOLDINGS["village"], write=True)
    authorize(principal(Role.COUNTY_ADMIN), HOLDINGS["county"], write=True)
    assert acting_tenant(principal(Role.INSPECTOR)) == Tenant(county=COUNTY, township=T)
    with pytest.raises(ReadOnly):
        acting_tenant(principal(Role.COUNTY_ADMIN))


def test_lists_are_narrowed_to_the_callers_reach_or_refused() -> None:
    viewer, admin = principal(Role.COUNTY_VIEWER), principal(Role.TOWNSHIP_ADMIN)
    committee = principal(Role.VILLAGE_COMMITTEE)
    assert reading(viewer) == Reading(COUNTY)
    assert reading(viewer, township=T2) == Reading(COUNTY, T2)
    assert reading(admin) == Reading(COUNTY, T)
    assert reading(admin, village_id=W) == Reading(COUNTY, T, W)
    assert reading(committee) == Reading(COUNTY, T, V)
    assert reading(committee, village_id=V) == Reading(COUNTY, T, V)
    refused: list[tuple[Principal, str | None, str | None]] = [
        (principal(Role.COUNTY_VIEWER, county=OTHER_COUNTY), T, None),
        (admin, T2, None),
        (committee, None, W),
        (committee, T2, None),
    ]
    for who, township, village in refused:
        with pytest.raises(OutOfScope):
            reading(who, township=township, village_id=village)


# -- the dependencies through HTTP ---------------------------------------------------

ISSUER = LocalIssuer()
Records = Annotated[TownshipScope, Depends(township_records(roles=[Role.TOWNSHIP_ADMIN]))]
Villages = Annotated[TownshipScope, Depends(township_villages())]
PLACES = {"p-1": V, "p-2": W}


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/townships/{code}/staff")
    async def staff(scope: Records) -> str:
        return scope.township

    @router.get("/townships/{code}/places")
    async def places(scope: Villages, village_id: str | None = None) -> list[str]:
        only = scope.village_filter(village_id)
        return [p for p, v in PLACES.items() if only is None or v == only]

    @router.get("/townships/{code}/places/{place}")
    async def place(scope: Villages, place: str) -> str:
        scope.authorize(PLACES[place])
        return place

    return router


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings(environment="test", oidc_issuer=ISSUER.url)
    app = create_app(service="test", settings=settings, routers=[_router()])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def _auth(who: Principal, **headers: str) -> dict[str, str]:
    return {**ISSUER.bearer(who), **headers}


async def test_a_village_role_sees_its_village_of_the_township(client: httpx.AsyncClient) -> None:
    committee = _auth(principal(Role.VILLAGE_COMMITTEE))
    assert (await client.get(f"/townships/{T}/places", headers=committee)).json() == ["p-1"]
    assert (await client.get(f"/townships/{T}/places/p-1", headers=committee)).json() == "p-1"
    assert_out_of_scope(await client.get(f"/townships/{T}/places/p-2", headers=committee))
    assert_out_of_scope(
        await client.get(f"/townships/{T}/places", params={"village_id": W}, headers=committee)
    )
    assert_out_of_scope(await client.get(f"/townships/{T2}/places", headers=committee))
    # The township's own records are not a village's, whatever the route's roles.
    assert_out_of_scope(await client.get(f"/townships/{T}/staff", headers=committee))
    admin = _auth(principal(Role.TOWNSHIP_ADMIN))
    assert (await client.get(f"/townships/{T}/places", headers=admin)).json() == ["p-1", "p-2"]


async def test_out_of_scope_is_answered_before_the_role(client: httpx.AsyncClient) -> None:
    for who in (
        principal(Role.INSPECTOR, township=T2),
        principal(Role.COUNTY_VIEWER, county=OTHER_COUNTY),
    ):
        response = await client.get(f"/townships/{T}/staff", headers=_auth(who))
        assert_out_of_scope(response)
    in_scope = await client.get(
        f"/townships/{T}/staff",
        headers=_auth(principal(Role.INSPECTOR), **{"Accept-Language": "en"}),
    )
    assert in_scope.status_code == 403
    assert in_scope.json()["error"]["code"] == "forbidden"
    assert in_scope.json()["error"]["message"] == "Your role is not allowed to do this."
    english = await client.get(
        f"/townships/{T2}/staff",
        headers=_auth(principal(Role.TOWNSHIP_ADMIN), **{"Accept-Language": "en"}),
    )
    assert_out_of_scope(english)
