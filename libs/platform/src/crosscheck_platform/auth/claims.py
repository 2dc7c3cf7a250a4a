"""From a verified token's claims to a Principal.

Identity providers name roles differently: Keycloak's realm roles arrive as a flat `roles`
list (the realm's mapper), or under `realm_access.roles` without it; a county's own provider
may send one `role` string. All three are read; when a user holds several Crosscheck roles,
the widest wins (PRECEDENCE), so an admin who is also an inspector acts as an admin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from crosscheck_platform.auth.principal import Principal, Role

PRECEDENCE: tuple[Role, ...] = (
    Role.COUNTY_ADMIN,
    Role.TOWNSHIP_ADMIN,
    Role.GROUP_LEADER,
    Role.INSPECTOR,
    Role.VILLAGE_COMMITTEE,
    Role.COUNTY_VIEWER,
)


class ClaimsRefused(ValueError):
    """The token is genuine but does not describe a Crosscheck user."""


def _role_names(claims: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()
    single = claims.get("role")
    if isinstance(single, str):
        names.add(single)
    for source in (claims.get("roles"), (claims.get("realm_access") or {}).get("roles")):
        if isinstance(source, Iterable) and not isinstance(source, str | bytes):
            names.update(r for r in source if isinstance(r, str))
    return names


def role_from_claims(claims: Mapping[str, Any]) -> Role:
    names = _role_names(claims)
    for role in PRECEDENCE:
        if role.value in names:
            return role
    raise ClaimsRefused("the token carries no Crosscheck role")


def _text(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ClaimsRefused(f"claim {name!r} must be a string")
    return value


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    role = role_from_claims(claims)
    subject = _text(claims, "sub")
    if subject is None:
        raise ClaimsRefused("the token has no subject")
    name = _text(claims, "name") or _text(claims, "preferred_username") or subject
    try:
        return Principal(
            subject=subject,
            name=name,
            username=_text(claims, "preferred_username"),
            role=role,
            county=_text(claims, "county"),
            township=_text(claims, "township"),
            village_id=_text(claims, "village_id"),
            staff_id=_text(claims, "staff_id"),
        )
    except ValidationError as exc:
        problems = "; ".join(str(e["msg"]) for e in exc.errors())
        raise ClaimsRefused(f"the token's claims do not describe a user: {problems}") from exc
