"""The staff roster page: the registry's staff (every page of 500), its villages and
places by name, the logins it gave, and the rotation's roster counts beside its own."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from crosscheck_console.adapters.services import Apis
from crosscheck_console.domain.roster import Propagation, RosterRow, roster_rows
from crosscheck_platform.i18n import Language, translate


@dataclass(frozen=True)
class Roster:
    township: str
    rows: list[RosterRow]
    propagation: Propagation
    with_logins: bool

    @property
    def leaders(self) -> int:
        return sum(1 for r in self.rows if r.active and r.leadership)

    @property
    def with_conflicts(self) -> int:
        return sum(1 for r in self.rows if r.active and (r.conflict_villages or r.conflict_places))


async def roster(
    apis: Apis, township: str, token: str, lang: Language, *, with_logins: bool
) -> Roster:
    """`with_logins`: the logins too, which the registry reads from the identity
    provider, user by user (seconds for a township's staff): only when asked for."""
    base = f"/v1/townships/{township}"
    info, staff, villages, sites, rotation, logins = await asyncio.gather(
        apis.json("registry", base, token, lang),
        apis.all_pages("registry", f"{base}/staff", token, lang, status="all"),
        apis.json("registry", f"{base}/villages", token, lang),
        apis.all_pages("registry", f"{base}/sites", token, lang, status="all"),
        apis.json("rotation", f"{base}/roster", token, lang),
        _logins(apis, base, token, lang) if with_logins else _none(),
    )
    rows = roster_rows(
        staff,
        {v["id"]: v["name"] for v in villages},
        {s["id"]: s["name"] for s in sites},
        logins or [],
        translate("console.dash.unnamed", lang),
    )
    open_sites = sum(1 for s in sites if s["active"])
    return Roster(
        info["name"],
        rows,
        Propagation(
            registry_staff=sum(1 for s in staff if s["active"]),
            registry_sites=open_sites,
            rotation_staff=int(rotation["staff"]),
            rotation_sites=int(rotation["sites"]),
        ),
        with_logins,
    )


async def _logins(apis: Apis, base: str, token: str, lang: Language) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await apis.json("registry", f"{base}/logins", token, lang))[
        "items"
    ]
    return found


async def _none() -> None:
    return None
