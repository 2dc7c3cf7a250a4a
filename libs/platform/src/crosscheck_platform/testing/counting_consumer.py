"""A consumer process for the crash tests: sums Counted.amount per stream.

Run as `python -m crosscheck_platform.testing.counting_consumer` so that a test can kill
it with SIGKILL in the middle of a batch.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from faststream.kafka import KafkaBroker

from crosscheck_platform.consumer import IdempotentConsumer, ReceivedEvent
from crosscheck_platform.consumer.faststream import broker_dead_letters, subscribe
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.testing.sample_events import TEST_CATALOGUE, Counted

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


async def main(args: argparse.Namespace) -> None:
    db = await Database.connect(args.dsn, args.schema, min_size=1, max_size=4)
    await db.migrate(TOTALS_DDL)
    broker = KafkaBroker(args.bootstrap, logger=None)
    consumer = IdempotentConsumer(
        name=args.group,
        db=db,
        catalogue=TEST_CATALOGUE,
        handler=add_to_total,
        dead_letters=broker_dead_letters(broker),
    )
    await consumer.setup()
    subscribe(
        broker,
        consumer,
        [args.topic],
        max_records=100,
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await broker.start()
    print("started", flush=True)
    await stop.wait()
    await broker.stop()
    await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    for name in ("bootstrap", "dsn", "schema", "topic", "group"):
        parser.add_argument(f"--{name}", required=True)
    asyncio.run(main(parser.parse_args()))
