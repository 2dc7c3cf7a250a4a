"""A consumer process for the crash tests: sums Counted.amount per stream.

Run as `python -m crosscheck_testing.counting_consumer` so that a test can kill
it with SIGKILL in the middle of a batch.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from collections import Counter
from collections.abc import Sequence

from crosscheck_platform.consumer import Deduplication, IdempotentConsumer, ReceivedEvent
from crosscheck_platform.consumer.loop import ConsumerLoop
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.kafka.security import KafkaSecurity
from crosscheck_platform.migrations import migrate
from crosscheck_testing.sample_events import TEST_CATALOGUE, Counted

TOTALS_DDL = [
    """CREATE TABLE IF NOT EXISTS totals (
        stream text PRIMARY KEY, total bigint NOT NULL, applied integer NOT NULL)""",
]


async def add_to_total(conn: Connection, item: ReceivedEvent) -> None:
    assert isinstance(item.event, Counted)
    await conn.execute(
        "INSERT INTO totals (stream, total, applied) VALUES ($1, $2, 1) "
        "ON CONFLICT (stream) DO UPDATE SET total = totals.total + EXCLUDED.total, "
        "applied = totals.applied + 1",
        item.envelope.aggregateid,
        item.event.amount,
    )
    await asyncio.sleep(0.002)  # slow enough that a kill lands inside a batch


async def add_batch_to_totals(conn: Connection, items: Sequence[ReceivedEvent]) -> None:
    """The same effect merged into one statement per batch (the batch handler API)."""
    totals: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for item in items:
        assert isinstance(item.event, Counted)
        totals[item.envelope.aggregateid] += item.event.amount
        counts[item.envelope.aggregateid] += 1
    streams = sorted(totals)
    await conn.execute(
        "INSERT INTO totals (stream, total, applied) "
        "SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[]) "
        "ON CONFLICT (stream) DO UPDATE SET total = totals.total + EXCLUDED.total, "
        "applied = totals.applied + EXCLUDED.applied",
        streams,
        [totals[s] for s in streams],
        [counts[s] for s in streams],
    )
    await asyncio.sleep(0.002 * len(items))  # slow enough that a kill lands inside a batch


def exit_after_commits(consumer: IdempotentConsumer, batches: int) -> None:
    """Die right after the database commit of the n-th batch, before its offsets reach
    Kafka: the restart gets that batch again, already applied."""
    handle = consumer.handle_records
    done = 0

    async def handle_then_maybe_exit(records: Sequence[object]) -> None:
        nonlocal done
        await handle(records)
        done += 1
        if done >= batches:
            os._exit(3)

    consumer.handle_records = handle_then_maybe_exit  # type: ignore[method-assign]


async def main(args: argparse.Namespace) -> None:
    db = await Database.connect(args.dsn, args.schema, min_size=1, max_size=4)
    await migrate(args.dsn, args.schema, None)  # the consumers' tracking tables
    await db.ensure_scratch_tables(TOTALS_DDL)
    loop = ConsumerLoop(
        args.bootstrap,
        [args.topic],
        security=KafkaSecurity(),
        max_records=100,
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
    )
    consumer = IdempotentConsumer(
        name=args.group,
        db=db,
        catalogue=TEST_CATALOGUE,
        dead_letters=loop.dead_letter,
        deduplication=Deduplication(args.deduplication),
        **({"batch_handler": add_batch_to_totals} if args.batch else {"handler": add_to_total}),
    )
    if args.exit_after_commits:
        exit_after_commits(consumer, args.exit_after_commits)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await loop.start(consumer)
    print("started", flush=True)
    await stop.wait()
    await loop.stop()
    await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    for name in ("bootstrap", "dsn", "schema", "topic", "group"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--deduplication", default=Deduplication.EVENT_ID.value)
    parser.add_argument("--batch", action="store_true", help="use the batch handler")
    parser.add_argument("--exit-after-commits", type=int, default=0)
    asyncio.run(main(parser.parse_args()))
