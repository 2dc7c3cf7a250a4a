"""Console benchmark: server time of the console's pages (landing, dashboard, a round's
plan, the staff roster, an inspector's place form) under N signed-in clients at once,
and the bytes a browser fetches for the dashboard and for the inspector's place form on
a first visit and on a later one.

    uv run python bench/console.py [--places 68] [--clients 8] [--requests 20] [--demo]

Needs the local stack (`deploy/stack up`). Starts the registry, rotation, hazards,
notify and ledgers services and the console as their own processes in fresh schemas
and a topic namespace of their own, then fills one township: the reference campaign
played by the demo's driver (`--demo`: 68 places, 164 hazards, the figures the
dashboard draws), or a township of `--places` places imported, a campaign launched and
scheduled (no inspections: the dashboard's figures are zeros, the calls the same).
Each client holds its own session cookie (sealed with the console's key, as the
sign-in would), and requests each page `--requests` times; the time is from request
to the last byte, on loopback (the console's own work plus its calls to the services).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import time
import uuid
from contextlib import AsyncExitStack, ExitStack
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from crosscheck_console.adapters.session import SESSION_COOKIE, Sealer, Session
from crosscheck_demo.driver import DemoSettings, Endpoints, run
from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.kafka import delete_topics_under
from crosscheck_scenarios.registry import Scenario, reference_scenario
from crosscheck_testing.infra import Infra, locate
from crosscheck_testing.issuer import IssuedTokens
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

SERVICES = ("registry", "rotation", "hazards", "notify", "ledgers")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUIET: dict[str, Any] = {"stdout": asyncio.subprocess.DEVNULL, "stderr": asyncio.subprocess.DEVNULL}


def admin(scenario: Scenario) -> Principal:
    return Principal(
        subject="bench-console-admin",
        name="基准测试管理员",
        role=Role.TOWNSHIP_ADMIN,
        county=scenario.county_code,
        township=scenario.township_code,
    )


async def fill(urls: dict[str, str], infra: Infra, scenario: Scenario, groups: int) -> str:
    """Import the township, wait until the rotation knows it, launch and schedule."""
    headers = infra.issuer.bearer(admin(scenario))
    base = f"/v1/townships/{scenario.township_code}"
    async with httpx.AsyncClient(headers=headers, timeout=600) as http:
        answer = await http.put(
            urls["registry"] + base,
            json={"name": scenario.township_name, "county_name": scenario.county_name},
        )
        answer.raise_for_status()
        answer = await http.post(
            urls["registry"] + base + "/import",
            content=scenario.to_xlsx(),
            headers={"Content-Type": XLSX},
        )
        answer.raise_for_status()
        deadline = time.monotonic() + 300
        while True:
            known = (await http.get(urls["rotation"] + base + "/roster")).json()
            if (known["sites"], known["staff"]) == (len(scenario.sites), len(scenario.staff)):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the rotation knows only {known}")
            await asyncio.sleep(0.3)
        answer = await http.post(
            urls["rotation"] + base + "/campaigns",
            json={
                "name": "基准测试专项行动",
                "starts_on": "2025-03-01",
                "ends_on": "2025-06-30",
                "rounds": 6,
                "groups": groups,
                "seed": 2024,
            },
        )
        answer.raise_for_status()
        campaign_id = str(answer.json()["campaign_id"])
        answer = await http.post(
            urls["rotation"] + f"{base}/campaigns/{campaign_id}/schedule", json={}
        )
        answer.raise_for_status()
        return campaign_id


async def inspector(
    urls: dict[str, str], infra: Infra, scenario: Scenario, campaign_id: str
) -> tuple[Principal, str]:
    """A member of the first group with places in a round still open, and the page of
    that round's first place (the form an inspector opens at the door)."""
    headers = infra.issuer.bearer(admin(scenario))
    base = f"/v1/townships/{scenario.township_code}"
    async with httpx.AsyncClient(headers=headers, timeout=120) as http:
        plan = (await http.get(f"{urls['rotation']}{base}/campaigns/{campaign_id}")).json()
    groups = {g["group_id"]: g for g in plan["groups"]}
    for record in plan["schedule"]:
        if record["closed"]:
            continue
        for assignment in record["assignments"]:
            if assignment["site_ids"]:
                group = groups[assignment["group_id"]]
                principal = Principal(
                    subject="bench-console-inspector",
                    name="基准测试检查员",
                    role=Role.INSPECTOR,
                    county=scenario.county_code,
                    township=scenario.township_code,
                    staff_id=group["member_ids"][-1],
                )
                site = assignment["site_ids"][0]
                return principal, f"/field/{campaign_id}/{record['round_no']}/{site}"
    raise RuntimeError("no round is open: no place for an inspector")


async def demo(urls: dict[str, str], infra: Infra, state: str) -> str:
    outcome = await run(
        DemoSettings(
            tokens=IssuedTokens(infra.issuer),
            endpoints=Endpoints(**{name: urls[name] for name in SERVICES}),
            state_dir=Path(state),
            timeout_s=300,
        )
    )
    return outcome.campaign_id


async def console_ready(url: str, process: asyncio.subprocess.Process) -> None:
    """/healthz: its readiness asks the identity provider for its sign-in endpoints,
    which the test issuer does not publish (no browser signs in here)."""
    async with httpx.AsyncClient() as http:
        for _ in range(1800):
            try:
                if (await http.get(url + "/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if process.returncode is not None:
                raise RuntimeError("the console exited")
            await asyncio.sleep(0.1)
    raise RuntimeError("the console did not start")


async def measure(
    console: str, cookies: list[str], path: str, requests: int
) -> tuple[list[float], int]:
    """Every client requests `path` `requests` times, all clients at once."""

    async def client(cookie: str) -> tuple[list[float], int]:
        times: list[float] = []
        size = 0
        async with httpx.AsyncClient(
            base_url=console, cookies={SESSION_COOKIE: cookie}, timeout=120
        ) as http:
            for _ in range(requests):
                start = time.perf_counter()
                answer = await http.get(path)
                times.append(time.perf_counter() - start)
                if answer.status_code != 200:
                    raise RuntimeError(f"{path} answered {answer.status_code}: {answer.text[:300]}")
                size = answer.num_bytes_downloaded
        return times, size

    # One request each first (connections, the services' caches), not counted.
    await asyncio.gather(*(measure_once(console, c, path) for c in cookies))
    results = await asyncio.gather(*(client(c) for c in cookies))
    return [t for times, _ in results for t in times], results[0][1]


async def measure_once(console: str, cookie: str, path: str) -> None:
    async with httpx.AsyncClient(base_url=console, cookies={SESSION_COOKIE: cookie}) as http:
        (await http.get(path, timeout=120)).raise_for_status()


async def page_bytes(
    console: str, cookie: str, path: str, extra: tuple[str, ...] = ()
) -> tuple[int, int]:
    """Bytes over the wire (gzip accepted, as browsers do) for a first visit (the page,
    its stylesheet and scripts, and `extra`: the offline worker a field page registers)
    and a later one (the page alone: the static files are cached for a day)."""
    async with httpx.AsyncClient(
        base_url=console, cookies={SESSION_COOKIE: cookie}, timeout=120
    ) as http:
        page = await http.get(path)
        page.raise_for_status()
        later = page.num_bytes_downloaded
        first = later
        html = page.text
        for asset in ("/static/console.css", *_scripts(html), *extra):
            answer = await http.get(asset, headers={"Accept-Encoding": "gzip"})
            answer.raise_for_status()
            first += answer.num_bytes_downloaded
    return first, later


def _scripts(html: str) -> list[str]:
    found = []
    for part in html.split('<script src="')[1:]:
        found.append(part.split('"', 1)[0])
    return found


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def bench(infra: Infra, args: argparse.Namespace) -> None:
    ns = "benchconsole" + uuid.uuid4().hex[:8]
    key = secrets.token_urlsafe(32)
    if args.demo:
        scenario = reference_scenario()
    else:
        scenario = reference_scenario(
            township_code="532327190",
            township_name="基准乡",
            villages=max(7, args.places // 40),
            sites=args.places,
            staff=max(49, args.places // 4),
            leaders=max(9, args.places // 25),
            conflicts=max(7, args.places // 50),
        )
    groups = 8 if args.places <= 100 else max(8, min(len(scenario.villages), args.places // 50))
    smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    ports = {name: free_port() for name in (*SERVICES, "console")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    try:
        async with AsyncExitStack() as running:
            for name in SERVICES:
                env = service_env(
                    infra,
                    schema=f"{ns}_{name}",
                    namespace=ns,
                    port=ports[name],
                    CROSSCHECK_LOG_LEVEL="WARNING",
                    CROSSCHECK_NOTIFY_SMTP_HOST="127.0.0.1",
                    CROSSCHECK_NOTIFY_SMTP_PORT=str(smtp.port),
                    CROSSCHECK_NOTIFY_POLL_INTERVAL_S="0.2",
                )
                await running.enter_async_context(
                    service_process(f"crosscheck_{name}.main", env, ports[name], **QUIET)
                )
            env = service_env(
                infra,
                schema="console",
                namespace=ns,
                port=ports["console"],
                CROSSCHECK_LOG_LEVEL="WARNING",
                CROSSCHECK_CONSOLE_SESSION_KEY=key,
                **{f"CROSSCHECK_CONSOLE_{n.upper()}_URL": urls[n] for n in SERVICES},
            )
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "crosscheck_console.main", env=env, **QUIET
            )
            running.push_async_callback(_stop, process)
            await console_ready(urls["console"], process)

            started = time.perf_counter()
            if args.demo:
                campaign_id = await demo(urls, infra, f"/tmp/{ns}-demo")
            else:
                campaign_id = await fill(urls, infra, scenario, groups)
            print(
                f"township {scenario.township_name}: {len(scenario.sites)} places, "
                f"{len(scenario.staff)} staff, {groups} groups x 6 rounds"
                + (" (the reference campaign played)" if args.demo else " (scheduled)")
                + f"; ready in {time.perf_counter() - started:.0f} s"
            )
            sealer = Sealer(key)
            token = infra.issuer.token(admin(scenario))
            cookies = [
                sealer.seal(Session.new(token, None, time.time() + 3600))
                for _ in range(args.clients)
            ]
            field_person, place = await inspector(urls, infra, scenario, campaign_id)
            field_token = infra.issuer.token(field_person)
            field_cookies = [
                sealer.seal(Session.new(field_token, None, time.time() + 3600))
                for _ in range(args.clients)
            ]
            pages = {
                "landing": "/",
                "dashboard": "/dashboard",
                "plan": f"/campaigns/{campaign_id}?round=1",
                "staff": "/staff",
                "place": place,
            }
            print(
                f"{args.clients} clients at once, {args.requests} requests each per page "
                "(server time on loopback, request to last byte; place: an inspector's form)"
            )
            for name, path in pages.items():
                who = field_cookies if name == "place" else cookies
                times, size = await measure(urls["console"], who, path, args.requests)
                ms = [t * 1000 for t in times]
                print(
                    f"  {name:<10} p50 {percentile(ms, 50):7.1f} ms   p95 "
                    f"{percentile(ms, 95):7.1f} ms   max {max(ms):7.1f} ms   "
                    f"{len(ms) / sum(times) * args.clients:6.1f} pages/s   "
                    f"{size / 1024:6.1f} KB"
                )
            pdf = f"/campaigns/{campaign_id}/rounds/1/schedule.pdf"
            await measure_once(urls["console"], cookies[0], pdf)
            first, later = await page_bytes(urls["console"], cookies[0], "/dashboard")
            print(
                f"dashboard bytes: first visit {first / 1024:.0f} KB (page, stylesheet, "
                f"charting library and script, gzip), later visit {later / 1024:.1f} KB"
            )
            first, later = await page_bytes(
                urls["console"], field_cookies[0], place, ("/field/sw.js",)
            )
            print(
                f"inspector bytes (place form): first visit {first / 1024:.0f} KB (page, "
                f"stylesheet, script, offline worker, gzip), later visit {later / 1024:.1f} KB"
            )
            print(f"console resident memory: peak {_peak_mib(process.pid):.0f} MiB (after a PDF)")
    finally:
        smtp.stop()
        await _cleanup(infra, ns)


def _peak_mib(pid: int) -> float:
    """The process's peak resident set (VmHWM), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        await process.wait()


async def _cleanup(infra: Infra, ns: str) -> None:
    conn = await asyncpg.connect(infra.database_url)
    try:
        for name in SERVICES:
            await conn.execute(f"DROP SCHEMA IF EXISTS {ns}_{name} CASCADE")
    finally:
        await conn.close()
    await delete_topics_under(infra.kafka_bootstrap, [f"{ns}."])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--places", type=int, default=68, help="places of the township")
    parser.add_argument("--clients", type=int, default=8, help="signed-in clients at once")
    parser.add_argument("--requests", type=int, default=20, help="requests per client and page")
    parser.add_argument(
        "--demo", action="store_true", help="play the reference campaign (68 places) first"
    )
    args = parser.parse_args()
    os.environ.setdefault("CROSSCHECK_LOG_LEVEL", "WARNING")
    with ExitStack() as stack:
        infra = locate(stack)
        asyncio.run(bench(infra, args))


if __name__ == "__main__":
    main()
