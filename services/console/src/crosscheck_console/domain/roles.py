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


ALLOWED: dict[Page, frozenset[Role]] = {
    Page.DASHBOARD: frozenset({Role.TOWNSHIP_ADMIN, *COUNTY_ROLES}),
    Page.INVENTORY: frozenset({Role.TOWNSHIP_ADMIN}),
    Page.CAMPAIGNS: frozenset({Role.TOWNSHIP_ADMIN}),
    Page.STAFF: frozenset({Role.TOWNSHIP_ADMIN}),
}


def may_open(role: Role, page: Page) -> bool:
    return role in ALLOWED[page]


def menu(role: Role) -> list[Page]:
    return [page for page in Page if may_open(role, page)]
