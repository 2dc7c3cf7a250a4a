"""A county: many townships running their campaigns at once through the HTTP APIs.

    uv run python bench/county.py [--townships 20] [--replicas 1 2] [--min-places 50]
                                  [--max-places 300] [--seed 7]

Needs the local stack (`deploy/stack up`). For each replica count it starts every
service that many times as its own process (`python -m crosscheck_<name>.main`), behind
a round-robin proxy per service when there are several, on fresh schemas and a fresh
topic namespace, with a local SMTP server for notify. Then `--townships` townships, each
with a generated inventory of `--min-places` to `--max-places` places, run the reference
campaign's whole course at once (the demo's driver: import, launch, inspections,
rectification loops, an overdue deadline, the ledgers' figures), tokens from a local
issuer. Printed per replica count, side by side:

- commands/s: the writes (POST, PUT, PATCH, DELETE) sent, over the wall time;
- p50/p99 of a write and of a read, as the driver saw them;
- command-to-ledger freshness: for every hazard found, from the moment the hazards
  service recorded it (its event's time) until it is in the ledgers' hazard list (the
  ledgers' read model, polled every `--poll` seconds, the hazard list's own condition):
  p50/p99/max and how many never arrived;
- each service process's resident memory idle and at its peak under the load, and the
  stack's (Kafka, PostgreSQL, Keycloak: their processes' proportional memory now).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from crosscheck_demo.driver import SERVICES, Api, DemoSettings, Endpoints, _run
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import delete_topics_under
from crosscheck_scenarios.registry import reference_scenario
from crosscheck_testing.infra import Infra, locate
from crosscheck_testing.issuer import IssuedTokens
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, wait_until_ready
from crosscheck_testing.proxy import round_robin
from crosscheck_testing.resources import rss_mib, sample_peaks

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class Timings:
    writes: list[float] = field(default_factory=list)
    reads: list[float] = field(default_factory=list)

    def hooks(self) -> dict[str, list[Any]]:
        async def stamp(request: httpx.Request) -> None:
            request.extensions["crosscheck_started"] = time.perf_counter()

        async def record(response: httpx.Response) -> None:
            request = response.request
            took = time.perf_counter() - request.extensions["crosscheck_started"]
            (self.writes if request.method in WRITES else self.reads).append(took)

        return {"request": [stamp], "response": [record]}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


@dataclass
class Run:
    replicas: int
    seconds: float
    timings: Timings
    places: int
    idle: dict[str, float]
    peaks: dict[str, float]
    failures: list[str]
    freshness: list[float] = field(default_factory=list)
    """Seconds from each hazard's recording to its row in the hazard list."""
    unseen: int = 0
    """Hazards recorded that the hazard list never showed while watched."""


async def watch_hazard_list(db: Database, seen: dict[str, float], every: float) -> None:
    """When each hazard first shows in the ledgers' hazard list (wall clock, as the
    hazards service stamps its events)."""
    while True:
        with contextlib.suppress(asyncpg.UndefinedTableError):  # not migrated yet
            rows = await db.fetch("SELECT hazard_id FROM lg_hazards WHERE found_v IS NOT NULL")
            now = time.time()
            for row in rows:
                seen.setdefault(row["hazard_id"], now)
        await asyncio.sleep(every)


async def freshness(
    infra: Infra, namespace: str, ledgers: Database, seen: dict[str, float], every: float
) -> tuple[list[float], int]:
    """Each found hazard's time from its event to the hazard list, once the list has
    caught up (or 60 s passed); and how many it never showed."""
    hazards = await Database.connect(
        infra.database_url, f"{namespace}_hazards", min_size=1, max_size=1
    )
    try:
        recorded = {
            r["hazard_id"]: r["occurred_at"].timestamp()
            for r in await hazards.fetch(
                "SELECT data->>'hazard_id' AS hazard_id, occurred_at FROM events"
                " WHERE event_type LIKE '%HazardFound'"
            )
        }
    finally:
        await hazards.close()
    watcher = asyncio.create_task(watch_hazard_list(ledgers, seen, every))
    deadline = time.monotonic() + 60
    while any(h not in seen for h in recorded) and time.monotonic() < deadline:
        await asyncio.sleep(every)
    watcher.cancel()
    return [seen[h] - at for h, at in recorded.items() if h in seen], sum(
        h not in seen for h in recorded
    )


async def township(
    n: int, settings: DemoSettings, timings: Timings, places: int, seed: int
) -> None:
    scenario = reference_scenario(
        seed + n,
        township_code=f"532327{200 + n:03d}",
        township_name=f"第{n + 1}乡",
        sites=places,
    )
    api = Api(settings, scenario)
    for client in api.clients.values():
        # Under a county's load a command may wait long; its latency is what we measure.
        client.timeout = httpx.Timeout(settings.timeout_s)
        for kind, hooks in timings.hooks().items():
            client.event_hooks[kind].extend(hooks)
    try:
        await _run(api)
    finally:
        await api.close()


@asynccontextmanager
async def services(
    infra: Infra, replicas: int, namespace: str, smtp_port: int, logs: Path
) -> AsyncIterator[tuple[Endpoints, dict[str, int]]]:
    async with AsyncExitStack() as stack:
        processes: dict[str, asyncio.subprocess.Process] = {}
        fronts: dict[str, str] = {}
        for name in SERVICES:
            backends = []
            for replica in range(replicas):
                port = free_port()
                env = service_env(
                    infra,
                    schema=f"{namespace}_{name}",
                    namespace=namespace,
                    port=port,
                    CROSSCHECK_LOG_LEVEL="WARNING",
                    CROSSCHECK_NOTIFY_SMTP_HOST="127.0.0.1",
                    CROSSCHECK_NOTIFY_SMTP_PORT=str(smtp_port),
                )
                log = stack.enter_context((logs / f"{name}-{replica}.log").open("wb"))
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", f"crosscheck_{name}.main", env=env, stdout=log, stderr=log
                )
                stack.push_async_callback(_stop, process)
                base = f"http://127.0.0.1:{port}"
                await wait_until_ready(base, process)
                processes[f"{name}-{replica}"] = process
                backends.append(base)
            fronts[name] = (
                backends[0]
                if replicas == 1
                else await stack.enter_async_context(round_robin(backends))
            )
        yield Endpoints(**fronts), {name: p.pid for name, p in processes.items()}


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        await process.wait()


async def one_run(infra: Infra, replicas: int, args: argparse.Namespace) -> Run:
    namespace = f"county{uuid.uuid4().hex[:8]}"
    logs = Path(tempfile.mkdtemp(prefix=f"crosscheck-county-{replicas}-"))
    smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    # The migrations run once per schema, before any replica starts.
    from crosscheck_platform.migrations import migrate

    for name in SERVICES:
        await migrate(infra.database_url, f"{namespace}_{name}", name)
    rng = random.Random(args.seed)
    sizes = [rng.randint(args.min_places, args.max_places) for _ in range(args.townships)]
    timings = Timings()
    failures: list[str] = []
    try:
        async with services(infra, replicas, namespace, smtp.port, logs) as (endpoints, pids):
            await asyncio.sleep(args.settle)
            idle = {name: rss_mib(pid) for name, pid in pids.items()}
            peaks: dict[str, float] = {}
            sampler = asyncio.create_task(sample_peaks(pids, peaks, 0.5))
            ledgers = await Database.connect(
                infra.database_url, f"{namespace}_ledgers", min_size=1, max_size=1
            )
            seen: dict[str, float] = {}
            watcher = asyncio.create_task(watch_hazard_list(ledgers, seen, args.poll))
            started = time.perf_counter()
            outcomes = await asyncio.gather(
                *(
                    township(
                        n,
                        DemoSettings(
                            tokens=IssuedTokens(infra.issuer),
                            endpoints=endpoints,
                            state_dir=logs / f"demo-{n}",
                            timeout_s=args.timeout,
                            seed=args.seed,
                        ),
                        timings,
                        sizes[n],
                        args.seed,
                    )
                    for n in range(args.townships)
                ),
                return_exceptions=True,
            )
            seconds = time.perf_counter() - started
            sampler.cancel()
            watcher.cancel()
            failures = [repr(o)[:200] for o in outcomes if isinstance(o, BaseException)]
            fresh, unseen = await freshness(infra, namespace, ledgers, seen, args.poll)
            await ledgers.close()
    finally:
        smtp.stop()
        cleanup = await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
        for name in SERVICES:
            await cleanup.execute(f"DROP SCHEMA IF EXISTS {namespace}_{name} CASCADE")
        await cleanup.close()
        await delete_topics_under(infra.kafka_bootstrap, [f"{namespace}."])
    return Run(replicas, seconds, timings, sum(sizes), idle, peaks, failures, fresh, unseen)


def pss_mib(pid: int) -> float:
    """Proportional memory: shared pages (PostgreSQL's buffers) counted once in a sum."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stack_memory() -> dict[str, float]:
    """The local stack's own processes (Kafka, Keycloak, PostgreSQL), proportional memory
    summed, by what their command line says they are. Every PostgreSQL cluster on the
    machine counts (other checkouts' too)."""
    found: dict[str, float] = {"kafka": 0.0, "keycloak": 0.0, "postgres": 0.0}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            pss = pss_mib(int(proc.name))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if "kafka.Kafka" in cmdline:
            found["kafka"] += pss
        elif "keycloak" in cmdline.lower() and "java" in cmdline:
            found["keycloak"] += pss
        elif cmdline.startswith("postgres"):
            found["postgres"] += pss
    return found


def report(runs: list[Run], args: argparse.Namespace) -> None:
    print(
        f"county: {args.townships} townships at once, {runs[0].places} places in all "
        f"({args.min_places}-{args.max_places} each), the reference campaign's course each"
    )
    header = f"{'':<28}" + "".join(f"{f'{r.replicas} replica(s)':>16}" for r in runs)
    print(header)
    rows: list[tuple[str, Callable[[Run], str]]] = [
        ("wall time s", lambda r: f"{r.seconds:.1f}"),
        ("writes", lambda r: f"{len(r.timings.writes)}"),
        ("commands/s", lambda r: f"{len(r.timings.writes) / r.seconds:.1f}"),
        ("write p50 ms", lambda r: f"{1000 * percentile(r.timings.writes, 0.5):.0f}"),
        ("write p99 ms", lambda r: f"{1000 * percentile(r.timings.writes, 0.99):.0f}"),
        ("read p99 ms", lambda r: f"{1000 * percentile(r.timings.reads, 0.99):.0f}"),
        ("hazards found", lambda r: f"{len(r.freshness) + r.unseen}"),
        ("freshness p50 ms", lambda r: f"{1000 * percentile(r.freshness, 0.5):.0f}"),
        ("freshness p99 ms", lambda r: f"{1000 * percentile(r.freshness, 0.99):.0f}"),
        ("freshness max ms", lambda r: f"{1000 * max(r.freshness, default=0.0):.0f}"),
        ("never in the list", lambda r: f"{r.unseen}"),
        ("townships failed", lambda r: f"{len(r.failures)}"),
    ]
    for label, cell in rows:
        print(f"{label:<28}" + "".join(f"{cell(r):>16}" for r in runs))
    for name in SERVICES:
        for r in runs:
            mine = sorted(k for k in r.idle if k.startswith(f"{name}-"))
            idle = max(r.idle[k] for k in mine)
            peak = max(r.peaks.get(k, 0.0) for k in mine)
            print(
                f"  {name:<9} x{r.replicas}: RSS per process idle {idle:.0f} MiB, "
                f"peak {peak:.0f} MiB"
            )
    stack = stack_memory()
    print(
        "stack: "
        + ", ".join(f"{k} {v:.0f} MiB" for k, v in stack.items())
        + f"; in all {sum(stack.values()):.0f} MiB"
    )
    for r in runs:
        for failure in r.failures:
            print(f"  failed at {r.replicas} replica(s): {failure}")


async def main(args: argparse.Namespace) -> None:
    with ExitStack() as stack:
        infra = locate(stack)
        runs = [await one_run(infra, replicas, args) for replicas in args.replicas]
        report(runs, args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--townships", type=int, default=20)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--min-places", type=int, default=50)
    parser.add_argument("--max-places", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument(
        "--poll", type=float, default=0.1, help="seconds between reads of the hazard list"
    )
    asyncio.run(main(parser.parse_args()))
