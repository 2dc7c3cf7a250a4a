"""Registry import benchmark: places from CSV, end to end through the service, beside a
raw PostgreSQL COPY of the same rows measured in the same run.

    uv run python bench/registry_import.py [--townships 100] [--places 500] [--parallel 4]

Needs the local stack (`deploy/stack up`). Starts the registry as its own process (as
`./crosscheck up` does) in a fresh schema and topic namespace, registers the townships
and their village committees (not timed), then times the HTTP imports of one CSV per
township (each import: parse, validate every cell, diff against the township, append one
stream per place with its outbox rows, update the read model, all in one transaction).
The baseline COPYs the same rows, already parsed, into a plain table.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from contextlib import ExitStack
from typing import Any

import asyncpg
import httpx

from crosscheck_platform.auth import Principal, Role
from crosscheck_registry.domain.values import SITE_TYPE_LABELS
from crosscheck_scenarios.registry import SITE_HEADERS, VILLAGE_HEADERS, to_csv
from crosscheck_testing.infra import Infra, locate
from crosscheck_testing.issuer import LocalIssuer
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

COUNTY = "532327"
VILLAGES_PER_TOWNSHIP = 10
_NOUNS = [
    "小卖部",
    "小吃店",
    "米线馆",
    "豆腐坊",
    "客栈",
    "诊所",
    "网吧",
    "美发店",
    "超市",
    "加工厂",
]
_SURNAMES = "李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def township_codes(count: int) -> list[str]:
    return [f"{COUNTY}{100 + n:03d}" for n in range(count)]


def villages(township: str) -> list[list[str]]:
    return [[f"第{n + 1}村委会", f"{township}{201 + n:03d}"] for n in range(VILLAGES_PER_TOWNSHIP)]


def places(township: str, count: int, rng: random.Random) -> list[list[str]]:
    kinds = list(SITE_TYPE_LABELS.values())
    rows = []
    for n in range(count):
        village = f"第{n % VILLAGES_PER_TOWNSHIP + 1}村委会"
        person = rng.choice(_SURNAMES) + rng.choice("伟芳娜秀英敏静丽强磊军洋")
        rows.append(
            [
                str(n + 1),
                f"{person[0]}记{rng.choice(_NOUNS)}{n + 1}号",
                village,
                rng.choice(kinds),
                f"{village}{n % 9 + 1}组{n}号",
                person,
                f"13{rng.randrange(10**9):09d}",
            ]
        )
    return rows


def admin_headers(issuer: LocalIssuer, township: str) -> dict[str, str]:
    principal = Principal(
        subject="bench", name="bench", role=Role.TOWNSHIP_ADMIN, county=COUNTY, township=township
    )
    return issuer.bearer(principal)


async def setup(client: httpx.AsyncClient, issuer: LocalIssuer, townships: list[str]) -> None:
    for code in townships:
        headers = admin_headers(issuer, code)
        response = await client.put(
            f"/v1/townships/{code}",
            headers=headers,
            json={"name": f"{code}乡", "county_name": "永仁县"},
        )
        response.raise_for_status()
        response = await client.post(
            f"/v1/townships/{code}/import",
            headers={**headers, "Content-Type": "text/csv"},
            content=to_csv(VILLAGE_HEADERS, villages(code)),
        )
        response.raise_for_status()


async def import_all(
    client: httpx.AsyncClient, issuer: LocalIssuer, files: dict[str, bytes], parallel: int
) -> int:
    gate = asyncio.Semaphore(parallel)
    events = 0

    async def one(code: str, data: bytes) -> None:
        nonlocal events
        async with gate:
            response = await client.post(
                f"/v1/townships/{code}/import",
                content=data,
                headers={**admin_headers(issuer, code), "Content-Type": "text/csv"},
            )
            if response.status_code != 200:
                raise RuntimeError(f"import of {code} failed: {response.text[:500]}")
            events += response.json()["events"]

    await asyncio.gather(*(one(code, data) for code, data in files.items()))
    return events


async def raw_copy(dsn: str, schema: str, rows: list[tuple[str, ...]]) -> float:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            f"""CREATE TABLE {schema}.raw_places (township text, name text, village text,
                site_type text, address text, responsible text, phone text)"""
        )
        start = time.perf_counter()
        await conn.copy_records_to_table("raw_places", records=rows, schema_name=schema)
        return time.perf_counter() - start
    finally:
        await conn.close()


async def outbox_left(dsn: str, schema: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM {schema}.outbox"))
    finally:
        await conn.close()


async def run(infra: Infra, townships: int, per_township: int, parallel: int) -> None:
    schema = "bench_" + uuid.uuid4().hex[:10]
    codes = township_codes(townships)
    rng = random.Random(50_000)
    tables = {code: places(code, per_township, rng) for code in codes}
    files = {code: to_csv(SITE_HEADERS, rows) for code, rows in tables.items()}
    total = townships * per_township
    port = free_port()
    env = service_env(
        infra,
        schema=schema,
        namespace=schema,
        port=port,
        CROSSCHECK_LOG_LEVEL="WARNING",
    )
    quiet: dict[str, Any] = {
        "stdout": asyncio.subprocess.DEVNULL,
        "stderr": asyncio.subprocess.DEVNULL,
    }
    try:
        async with service_process("crosscheck_registry.main", env, port, **quiet) as (base, _):
            async with httpx.AsyncClient(base_url=base, timeout=600) as client:
                await setup(client, infra.issuer, codes)
                start = time.perf_counter()
                events = await import_all(client, infra.issuer, files, parallel)
                service_seconds = time.perf_counter() - start
            # The service's relay drains its outbox; it runs until the COPY is timed too.
            drain_start = time.perf_counter()
            while (
                await outbox_left(infra.database_url, schema)
                and time.perf_counter() - drain_start < 300
            ):
                await asyncio.sleep(0.2)
            drain_seconds = time.perf_counter() - drain_start
            flat = [(code, *row[1:]) for code, rows in tables.items() for row in rows]
            copy_seconds = await raw_copy(infra.database_url, schema, flat)
    finally:
        conn = await asyncpg.connect(infra.database_url)
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.close()
    ours, baseline = total / service_seconds, total / copy_seconds
    print(f"{total:,} places in {townships} townships, {parallel} imports in parallel")
    print(
        f"service HTTP import (CSV → events + outbox + read model) {ours:>10,.0f} rows/s"
        f"   ({service_seconds:.1f} s, {events:,} events)"
    )
    print(
        f"raw PostgreSQL COPY of the same rows                    {baseline:>10,.0f} rows/s"
        f"   ({copy_seconds:.2f} s)"
    )
    print(f"ratio service / COPY {ours / baseline:.4f}  (COPY is {baseline / ours:,.0f}× faster)")
    print(f"outbox drained to Kafka {drain_seconds:.1f} s after the last import answered")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--townships", type=int, default=100)
    parser.add_argument("--places", type=int, default=500, help="places per township")
    parser.add_argument("--parallel", type=int, default=4, help="imports in flight at once")
    args = parser.parse_args()
    with ExitStack() as stack:
        infra = locate(stack)
        asyncio.run(run(infra, args.townships, args.places, args.parallel))


if __name__ == "__main__":
    main()
