"""The inventory page: counts, the template, and the import (dry run first, every
problem by sheet, row and column, then the import itself)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from crosscheck_console.adapters.services import ApiRefused, Apis

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Counts:
    township: str
    villages: int
    sites: int
    staff: int


async def counts(apis: Apis, township: str, token: str, lang: str) -> Counts:
    base = f"/v1/townships/{township}"
    info, villages, sites, staff = await asyncio.gather(
        apis.json("registry", base, token, lang),
        apis.json("registry", f"{base}/villages", token, lang),
        apis.json("registry", f"{base}/sites", token, lang, params={"limit": 1}),
        apis.json("registry", f"{base}/staff", token, lang, params={"limit": 1}),
    )
    return Counts(info["name"], len(villages), sites["total"], staff["total"])


async def template(apis: Apis, township: str, token: str, lang: str) -> bytes:
    path = f"/v1/townships/{township}/import/template.xlsx"
    return (await apis.call("registry", "GET", path, token, lang)).content


def content_type(filename: str) -> str:
    return "text/csv" if filename.lower().endswith(".csv") else XLSX


async def upload(
    apis: Apis, township: str, token: str, lang: str, data: bytes, filename: str, dry_run: bool
) -> tuple[bool, dict[str, Any]]:
    """(accepted, the registry's report): a refused file's report lists every problem."""
    try:
        answer = await apis.call(
            "registry",
            "POST",
            f"/v1/townships/{township}/import",
            token,
            lang,
            params={"dry_run": "true" if dry_run else "false"},
            content=data,
            headers={"Content-Type": content_type(filename)},
        )
    except ApiRefused as refused:
        if refused.status == 422 and isinstance(refused.detail, dict) and refused.detail:
            return False, refused.detail
        raise
    return True, answer.json()
