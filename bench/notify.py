"""Notify benchmark: firing lag when 10,000 of 100,000 pending deadlines come due at once.

    uv run python bench/notify.py [--pending 100000] [--due 10000] [--workers 1x1 1x2 2x1]

Needs the local stack (`deploy/stack up`). For each worker layout, in a fresh schema:
`--pending` overdue notices are stored (COPY, not measured), with a webhook contact
each in the township's `contacts` table; `--due` of them fall due at one instant, the
rest over the next month. Workers run the service's `Worker` (uvloop, the platform's outbound
HTTP client), each process as a replica would: PROCESSESxLOOPS, where LOOPS is
the service's `workers` setting. A webhook receiver in its own process (a raw asyncio
HTTP/1.1 server that checks each signature and de-duplicates by Idempotency-Key)
notes when each notice first arrives. The processes are this script's own entries
(`_worker`, `_receiver`), driven over stdin/stdout and signals; once every worker is
up and idle, the due instant is set `--lead` seconds ahead, within the workers'
lookahead (`--lookahead`, the service's default), so they claim and prepare first.

Firing lag = first arrival at the receiver - the due instant, per notice. "recorded"
is when the last due notice's delivered mark (with its ReminderSent in the outbox)
had committed, as seen by a poller every 50 ms.

`--kill-one S` kills one worker process (SIGKILL) S seconds after the due instant
(negative: before it, while it holds its claims prepared) in layouts of 2+ processes:
the others take its notices over once their leases lapse (`--lease`); the maximum lag
is the recovery, and requests - arrived the notices sent twice (those the dead worker
had sent and not yet recorded, repeated with the same key).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import sys
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import uvloop

from crosscheck_contracts.events.notify import Channel
from crosscheck_contracts.topics import Topics
from crosscheck_notify.adapters.channels import SignedPoster, WebhookSender, http_client
from crosscheck_notify.adapters.directory import TableDirectory
from crosscheck_notify.adapters.signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, verify
from crosscheck_notify.app.worker import Worker
from crosscheck_notify.domain.policy import NotifyPolicy
from crosscheck_platform.clock import system_clock
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore.postgres import PostgresEventStore
from crosscheck_platform.http.infrastructure import load_catalogue
from crosscheck_platform.migrations import migrate
from crosscheck_testing.infra import locate

SCRIPT = str(Path(__file__).resolve())
SECRET = "notify-benchmark-webhook-secret-0123456789"
TOWNSHIP, COUNTY = "532327101", "532327"
LEAD_S = 8.0
"""From every worker idle to the due instant: within the workers' lookahead (as for a
deadline stored days before), so they claim and prepare the notices ahead, as in
service; with --lookahead 0 they sleep until the due time instead."""
POLL_INTERVAL_S = 1.0
"""The service's default; an idle worker wakes at the next due time anyway."""
PARKED = datetime(2100, 1, 1, tzinfo=UTC)
"""Where the due notices wait while the processes start."""
SIGNATURE_HEADER_B = SIGNATURE_HEADER.lower().encode()
IDEMPOTENCY_HEADER_B = IDEMPOTENCY_HEADER.lower().encode()


# --- the receiver (its own process) -------------------------------------------------


@dataclass
class Arrivals:
    first: dict[str, float] = field(default_factory=dict)
    """Idempotency key -> time.time() of its first arrival."""
    total: int = 0
    bad: int = 0


class ReceiverProtocol(asyncio.Protocol):
    """Minimal HTTP/1.1 keep-alive server: POST with Content-Length, 200 empty reply."""

    def __init__(self, arrivals: Arrivals) -> None:
        self.arrivals = arrivals
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            headers: dict[bytes, bytes] = {}
            for line in self.buffer[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get(b"content-length", b"0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            now = time.time()
            signature = headers.get(SIGNATURE_HEADER_B, b"").decode()
            if not verify(SECRET, signature, body, datetime.now(UTC)):
                self.arrivals.bad += 1
                self.transport.write(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
                continue
            key = headers[IDEMPOTENCY_HEADER_B].decode()
            self.arrivals.total += 1
            self.arrivals.first.setdefault(key, now)
            self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")


async def receiver_main() -> None:
    """Prints its port; on a line on stdin, prints what arrived (one JSON line), exits."""
    loop = asyncio.get_running_loop()
    arrivals = Arrivals()
    server = await loop.create_server(
        lambda: ReceiverProtocol(arrivals), "127.0.0.1", 0, backlog=4096
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)
    server.close()
    report = {"first": arrivals.first, "total": arrivals.total, "bad": arrivals.bad}
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()


# --- a worker (its own process) -----------------------------------------------------


async def worker_main(args: argparse.Namespace) -> None:
    """One notify process with `loops` claim loops, as the service's `workers` setting.
    Prints "ready" when idle; stops on SIGTERM after the pass in flight, as the service."""
    db = await Database.connect(
        args.database_url, args.schema, min_size=2, max_size=2 + args.loops * 2
    )
    store = PostgresEventStore(db, load_catalogue(), Topics(namespace=args.namespace))
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    async with http_client(connections=args.concurrency) as session:
        poster = SignedPoster(session, SECRET, system_clock)
        workers = [
            Worker(
                db=db,
                store=store,
                directory=TableDirectory(db),
                senders={Channel.WEBHOOK: WebhookSender(poster)},
                policy=NotifyPolicy(),
                clock=system_clock,
                batch_size=args.batch,
                concurrency=args.concurrency,
                lookahead_s=args.lookahead,
                lease_s=args.lease,
            )
            for _ in range(args.loops)
        ]
        tasks = [asyncio.create_task(w.run(stopping, POLL_INTERVAL_S)) for w in workers]
        print("ready", flush=True)
        await asyncio.gather(*tasks)
    await db.close()
    print(json.dumps({"delivered": sum(w.delivered for w in workers)}), flush=True)


# --- the baseline: the same webhooks from one process, nothing else ------------------


async def baseline_main(args: argparse.Namespace) -> None:
    """`count` signed webhooks like the workers' (same poster, pool and concurrency),
    encoded and signed before the instant `at`, as the workers prepare theirs, then
    sent from it as fast as one process can: the floor for one worker."""
    text = "隐患:消防通道堵塞\n整改期限:\n该隐患已逾期未整改,请立即整改;村委会请点对点跟踪督办。"
    at = datetime.fromtimestamp(args.at, UTC)
    async with http_client(connections=args.concurrency) as session:
        poster = SignedPoster(session, SECRET, system_clock)
        prepared = []
        for n in range(args.count):
            key = str(uuid.uuid4())
            payload = {
                "notice_id": key,
                "hazard_id": f"hz-{n}",
                "kind": "overdue",
                "recipient_role": "responsible_person",
                "language": "zh",
                "subject": f"【逾期未整改】隐患 hz-{n} 已超过整改期限",
                "text": text,
            }
            prepared.append(poster.prepare(f"{args.url}/site-{n}", payload, key, at))
        sends = iter(prepared)

        async def sender() -> None:
            for send in sends:
                await send()

        print("ready", flush=True)
        await asyncio.sleep(max(0.0, args.at - time.time()))
        await asyncio.gather(*(sender() for _ in range(args.concurrency)))
    print(json.dumps({"delivered": args.count}), flush=True)


# --- setup and measurement ----------------------------------------------------------


async def store_schedule(db: Database, pending: int, due: int, receiver_url: str) -> None:
    """`pending` overdue notices to responsible persons; `due` of them parked."""
    later = datetime.now(UTC) + timedelta(days=1)
    rows = []
    for n in range(pending):
        at = PARKED if n < due else later + timedelta(seconds=(n * 26) % (30 * 86400))
        params = {"hazard_id": f"hz-{n}", "description": "消防通道堵塞", "deadline": ""}
        rows.append(
            (
                uuid.uuid4(),
                f"hz-{n}",
                TOWNSHIP,
                COUNTY,
                "overdue",
                "responsible_person",
                f"site-{n}",
                "notify.overdue",
                json.dumps(params, ensure_ascii=False),
                at,
                at,
                at,
            )
        )
    contacts = [
        (TOWNSHIP, "responsible_person", f"site-{n}", "webhook", f"{receiver_url}/site-{n}", "zh")
        for n in range(pending)
    ]
    async with db.transaction() as conn:
        await conn.copy_records_to_table(
            "notices",
            records=rows,
            columns=[
                "notice_id",
                "hazard_id",
                "township",
                "county",
                "kind",
                "recipient_role",
                "recipient_ref",
                "template",
                "params",
                "deadline",
                "due_at",
                "next_attempt_at",
            ],
        )
        await conn.copy_records_to_table(
            "contacts",
            records=contacts,
            columns=[
                "township",
                "recipient_role",
                "recipient_ref",
                "channel",
                "address",
                "language",
            ],
        )
    await db.execute("VACUUM ANALYZE notices")
    await db.execute("VACUUM ANALYZE contacts")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def spawn(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        SCRIPT,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=2**26,  # the receiver's report is one long line
    )


async def line(proc: asyncio.subprocess.Process, timeout: float = 60.0) -> str:
    assert proc.stdout is not None
    async with asyncio.timeout(timeout):
        raw = await proc.stdout.readline()
    if not raw:
        raise RuntimeError(f"process {proc.pid} ended early (exit {await proc.wait()})")
    return raw.decode().strip()


async def end(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()


async def run_baseline(due: int, concurrency: int, lead: float) -> dict[str, Any]:
    receiver = await spawn("_receiver")
    sender: asyncio.subprocess.Process | None = None
    try:
        port = int(await line(receiver))
        due_wall = time.time() + lead
        sender = await spawn(
            "_baseline",
            f"--url=http://127.0.0.1:{port}",
            f"--count={due}",
            f"--concurrency={concurrency}",
            f"--at={due_wall}",
        )
        assert await line(sender) == "ready"
        delivered = json.loads(await line(sender, timeout=lead + 600))["delivered"]
        assert receiver.stdin is not None
        receiver.stdin.write(b"dump\n")
        await receiver.stdin.drain()
        report = json.loads(await line(receiver))
    finally:
        for proc in [p for p in (sender, receiver) if p is not None]:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(20):
                    await proc.wait()
            await end(proc)
    return summary("raw", due_wall, report, delivered=delivered, recorded_s=float("nan"))


def summary(layout: str, due_wall: float, report: dict[str, Any], **more: Any) -> dict[str, Any]:
    lags = [at - due_wall for at in report["first"].values()]
    return {
        "workers": layout,
        "arrived": len(report["first"]),
        "requests": report["total"],
        "bad_signatures": report["bad"],
        "early": sum(1 for lag in lags if lag < 0),
        "p50": percentile(lags, 0.50),
        "p99": percentile(lags, 0.99),
        "max": max(lags),
        "mean": statistics.fmean(lags),
        "rate": len(lags) / max(lags),
        **more,
    }


async def run_once(
    database_url: str,
    processes: int,
    loops: int,
    pending: int,
    due: int,
    batch: int,
    concurrency: int,
    lookahead: float,
    lead: float,
    lease: float = 10.0,
    kill_at: float | None = None,
) -> dict[str, Any]:
    schema = "bench_notify_" + uuid.uuid4().hex[:8]
    namespace = schema
    db = await Database.connect(database_url, schema, min_size=1, max_size=2)
    receiver = await spawn("_receiver")
    workers: list[asyncio.subprocess.Process] = []
    try:
        port = int(await line(receiver))
        await migrate(database_url, schema, "notify")
        setup_started = time.time()
        await store_schedule(db, pending, due, f"http://127.0.0.1:{port}")
        setup_s = time.time() - setup_started
        worker_args = [
            "_worker",
            f"--database-url={database_url}",
            f"--schema={schema}",
            f"--namespace={namespace}",
            f"--loops={loops}",
            f"--batch={batch}",
            f"--concurrency={concurrency}",
            f"--lookahead={lookahead}",
            f"--lease={lease}",
        ]
        workers = [await spawn(*worker_args) for _ in range(processes)]
        for proc in workers:
            assert await line(proc) == "ready"
        await asyncio.sleep(0.5)  # their first pass finds nothing due; they go idle
        due_wall = time.time() + lead
        due_at = datetime.fromtimestamp(due_wall, UTC)
        killer = (
            asyncio.create_task(kill_later(workers[0], due_wall + kill_at))
            if kill_at is not None and processes > 1
            else None
        )
        await db.execute(
            "UPDATE notices SET due_at = $1, next_attempt_at = $1, deadline = $1 WHERE due_at = $2",
            due_at,
            PARKED,
        )
        async with asyncio.timeout(lead + 600):
            while (
                await db.fetchval(
                    "SELECT count(*) FROM notices"
                    " WHERE state = 'pending' AND next_attempt_at <= $1",
                    due_at,
                )
                or time.time() < due_wall
            ):
                await asyncio.sleep(0.05)
        recorded_s = time.time() - due_wall
        if killer is not None:
            await killer
        living = [proc for proc in workers if proc.returncode is None]
        for proc in living:
            proc.send_signal(signal.SIGTERM)
        delivered = 0
        for proc in living:
            delivered += json.loads(await line(proc))["delivered"]
        assert receiver.stdin is not None
        receiver.stdin.write(b"dump\n")
        await receiver.stdin.drain()
        report = json.loads(await line(receiver))
        still_pending = await db.fetchval("SELECT count(*) FROM notices WHERE state = 'pending'")
        sent_events = await db.fetchval(
            "SELECT count(*) FROM events WHERE event_type = 'crosscheck.notify.ReminderSent'"
        )
    finally:
        for proc in [*workers, receiver]:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(20):
                    await proc.wait()
            await end(proc)
        await db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await db.close()
    return summary(
        f"{processes}x{loops}",
        due_wall,
        report,
        setup_s=setup_s,
        recorded_s=recorded_s,
        delivered=delivered,
        still_pending=still_pending,
        reminder_sent=sent_events,
        killed=killer is not None,
    )


async def kill_later(proc: asyncio.subprocess.Process, at_wall: float) -> None:
    await asyncio.sleep(max(0.0, at_wall - time.time()))
    proc.kill()
    await proc.wait()


def row(r: dict[str, Any]) -> str:
    recorded = "-" if r["workers"] == "raw" else f"{r['recorded_s']:.3f}"
    pending = "-" if r["workers"] == "raw" else f"{r['still_pending']:,}"
    return (
        f"{r['workers']:>7} {r['p50']:>7.3f} {r['p99']:>7.3f} {r['max']:>7.3f} "
        f"{r['rate']:>8.0f} {recorded:>10} {r['arrived']:>8,} {r['requests']:>8,} {pending:>8}"
    )


def problems(r: dict[str, Any], pending: int, due: int) -> list[str]:
    found = []
    # A killed worker's own count dies with it; ReminderSent below still counts them all.
    if r["arrived"] != due or (r["delivered"] != due and not r.get("killed")):
        found.append(f"{r['arrived']} arrived, {r['delivered']} counted delivered")
    if r["workers"] != "raw":
        if r["reminder_sent"] != due:
            found.append(f"{r['reminder_sent']} ReminderSent")
        if r["still_pending"] != pending - due:
            found.append(f"{r['still_pending']} still pending")
    if r["early"] or r["bad_signatures"]:
        found.append(f"{r['early']} early, {r['bad_signatures']} bad signatures")
    return found


async def main(args: argparse.Namespace) -> None:
    with ExitStack() as stack:
        infra = locate(stack)
        print(
            f"notify: {args.pending:,} pending deadlines, {args.due:,} due at the same "
            f"instant; batch {args.batch}, {args.concurrency} sends in flight per loop; "
            f"lookahead {args.lookahead:g} s, lease {args.lease:g} s, "
            f"due {args.lead:g} s after the workers idle; "
            f"{os.cpu_count()} CPUs; {args.repeat} round(s)"
            + (
                f"; one process killed {args.kill_one:+g} s from the instant"
                if args.kill_one is not None
                else ""
            )
        )
        print(
            f"{'workers':>7} {'p50 s':>7} {'p99 s':>7} {'max s':>7} {'rate/s':>8} "
            f"{'recorded s':>10} {'arrived':>8} {'requests':>8} {'pending':>8}"
        )
        best: dict[str, dict[str, Any]] = {}
        for _ in range(args.repeat):
            layouts = ["raw", *args.workers] if args.baseline else list(args.workers)
            for layout in layouts:
                if layout == "raw":
                    r = await run_baseline(args.due, args.concurrency, args.lead)
                else:
                    processes, loops = (int(part) for part in layout.split("x"))
                    r = await run_once(
                        infra.database_url,
                        processes,
                        loops,
                        args.pending,
                        args.due,
                        args.batch,
                        args.concurrency,
                        args.lookahead,
                        args.lead,
                        args.lease,
                        args.kill_one,
                    )
                print(row(r), flush=True)
                found = problems(r, args.pending, args.due)
                if found:
                    print("   !! " + "; ".join(found), flush=True)
                elif layout not in best or r["p99"] < best[layout]["p99"]:
                    best[layout] = r
        if args.repeat > 1:
            print("best round (lowest p99) of each:")
            for r in best.values():
                print(row(r))
        print(
            "lag = first arrival at the receiver - due instant; rate = arrived / max lag; "
            "recorded = last due notice's delivered mark committed, after the due instant; "
            "requests - arrived = repeats the receiver dropped; raw = the same signed "
            "webhooks, prepared before the instant, from one process with no database "
            "(the floor for one worker); "
            "PxL = P worker processes of L claim loops each"
        )


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("_receiver", help="(internal) the webhook receiver process")
    worker = commands.add_parser("_worker", help="(internal) one worker process")
    worker.add_argument("--database-url", required=True)
    worker.add_argument("--schema", required=True)
    worker.add_argument("--namespace", required=True)
    worker.add_argument("--loops", type=int, default=1)
    worker.add_argument("--batch", type=int, default=200)
    worker.add_argument("--concurrency", type=int, default=64)
    worker.add_argument("--lookahead", type=float, default=10.0)
    worker.add_argument("--lease", type=float, default=10.0)
    baseline = commands.add_parser("_baseline", help="(internal) the raw sender process")
    baseline.add_argument("--url", required=True)
    baseline.add_argument("--count", type=int, required=True)
    baseline.add_argument("--concurrency", type=int, default=64)
    baseline.add_argument("--at", type=float, required=True)
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument(
        "--workers",
        nargs="*",
        default=["1x1", "1x2", "2x1"],
        help="PROCESSESxLOOPS per run: 1x1 is one worker; 1x2 two claim loops in one "
        "process (the service's default); 2x1 two processes (replicas)",
    )
    parser.add_argument("--batch", type=int, default=200, help="notices claimed per pass")
    parser.add_argument("--concurrency", type=int, default=64, help="sends in flight per loop")
    parser.add_argument(
        "--lookahead",
        type=float,
        default=10.0,
        help="the workers' lookahead_s (the service's default; 0: claim only what is due)",
    )
    parser.add_argument(
        "--lead",
        type=float,
        default=LEAD_S,
        help="seconds from every worker idle to the due instant",
    )
    parser.add_argument(
        "--lease", type=float, default=10.0, help="the workers' lease_s (the service's default)"
    )
    parser.add_argument(
        "--kill-one",
        type=float,
        default=None,
        metavar="S",
        help="SIGKILL one worker process S seconds after the due instant (negative: "
        "before it), in layouts of 2+ processes",
    )
    parser.add_argument("--repeat", type=int, default=1, help="rounds over --workers")
    parser.add_argument(
        "--no-baseline", dest="baseline", action="store_false", help="skip the raw sender"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse(sys.argv[1:])
    if arguments.command == "_receiver":
        uvloop.run(receiver_main())
    elif arguments.command == "_worker":
        uvloop.run(worker_main(arguments))
    elif arguments.command == "_baseline":
        uvloop.run(baseline_main(arguments))
    else:
        asyncio.run(main(arguments))
