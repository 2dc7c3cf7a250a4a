"""Who may have which login: the rules of giving township people accounts.

A login belongs to one staff member or to one village committee. Staff sign in as
inspectors, as group leaders (the township's leadership members lead groups) or as the
township's administrators; a village committee's login acts for its village only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from crosscheck_platform.errors import RuleViolation, StateConflict


class LoginRole(StrEnum):
    TOWNSHIP_ADMIN = "township_admin"
    GROUP_LEADER = "group_leader"
    INSPECTOR = "inspector"
    VILLAGE_COMMITTEE = "village_committee"


STAFF_ROLES = frozenset({LoginRole.TOWNSHIP_ADMIN, LoginRole.GROUP_LEADER, LoginRole.INSPECTOR})

# Letters, digits and . _ @ -, so a phone number (13800000000) or a pinyin name works
# and nothing needs quoting anywhere a username travels.
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$")


@dataclass(frozen=True)
class StaffMember:
    staff_id: str
    name: str
    is_leadership: bool
    active: bool


@dataclass(frozen=True)
class VillageCommittee:
    village_id: str
    name: str


def checked_username(username: str) -> str:
    if not USERNAME.match(username):
        raise RuleViolation("registry.login.username", username=username)
    return username.lower()


def staff_login_role(staff: StaffMember, asked: LoginRole | None) -> LoginRole:
    """The role a staff member's login gets: as asked, else group leader for the
    leadership and inspector for the rest."""
    if not staff.active:
        raise StateConflict("registry.login.staff_inactive", name=staff.name)
    if asked is None:
        return LoginRole.GROUP_LEADER if staff.is_leadership else LoginRole.INSPECTOR
    if asked not in STAFF_ROLES:
        raise RuleViolation("registry.login.role_for_staff", role=asked.value)
    return asked


def village_login_name(village: VillageCommittee) -> str:
    """How the village committee's login is named in the provider and in tokens."""
    return village.name if village.name.endswith("村委会") else f"{village.name}村委会"
