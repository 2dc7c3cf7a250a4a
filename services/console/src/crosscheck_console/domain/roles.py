"""Which pages each role opens. The services enforce scope on every call; this only
keeps people from pages that would show them nothing but refusals."""

from __future__ import annotations

from enum import StrEnum

from crosscheck_platform.auth import COUNTY_ROLES, Role


class Page(StrEnum):
    DASHBOARD = "dashboard"
    INVENTORY = "inventory"
    CAMPAIGNS = "campaigns"
    STAFF = "staff"
    FIELD = "field"
    VERIFY = "verify"
    FOLLOWUP = "followup"


ON_SITE = frozenset({Role.INSPECTOR, Role.GROUP_LEADER})

ALLOWED: dict[Page, frozenset[Role]] = {
    Page.DASHBOARD: frozenset({Role.TOWNSHIP_ADMIN, *COUNTY_ROLES}),
    Page.INVENTORY: frozenset({Role.TOWNSHIP_ADMIN}),
    Page.CAMPAIGNS: frozenset({Role.TOWNSHIP_ADMIN}),
    Page.STAFF: frozenset({Role.TOWNSHIP_ADMIN}),
    # Inspections are recorded by the group on site (an administrator types in paper
    # forms through the API, with a reason the plan was departed from).
    Page.FIELD: ON_SITE,
    # 现场复核 is on-site staff's; who of them may is the hazards service's rule.
    Page.VERIFY: ON_SITE,
    Page.FOLLOWUP: frozenset({Role.VILLAGE_COMMITTEE}),
}


def may_open(role: Role, page: Page) -> bool:
    return role in ALLOWED[page]


def menu(role: Role) -> list[Page]:
    return [page for page in Page if may_open(role, page)]
