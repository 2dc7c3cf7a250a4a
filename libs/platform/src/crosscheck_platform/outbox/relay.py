"""The outbox relay: moves committed outbox rows to Kafka, then deletes them.

Rows are claimed with FOR UPDATE SKIP LOCKED and deleted only after Kafka acknowledged
them, so a row whose transaction commits late is simply picked up by a later pass —
there is no "last position seen" that could jump over it. A crash between send and
delete republishes (at least once); consumers de-duplicate by event id.

One relay per schema publishes at a time (a session advisory lock), because two relays
working side by side could reorder one aggregate's events on its partition.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaProducer

from crosscheck_platform.db import Connection, Database
from crosscheck_platform.eventstore.postgres import unpack_headers

log = logging.getLogger(__name__)

_CLAIM = """
    SELECT id, topic, key, headers, value FROM outbox
    ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED"""


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 500,
        idle_poll_seconds: float = 1.0,
    ) -> None:
        self.db = db
        self.producer = producer
        self.batch_size = batch_size
        self.idle_poll_seconds = idle_poll_seconds
        self.published = 0
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()

    async def publish_pending(self) -> int:
        """Publish everything committed so far; return how many rows went out."""
        total = 0
        while True:
            sent = await self._publish_batch()
            total += sent
            if sent < self.batch_size:
                return total

    async def _publish_batch(self) -> int:
        async with self.db.transaction() as conn:
            rows = await conn.fetch(_CLAIM, self.batch_size)
            if not rows:
                return 0
            deliveries = []
            for row in rows:
                headers = unpack_headers(row["headers"])
                deliveries.append(
                    await self.producer.send(
                        row["topic"], value=row["value"], key=row["key"], headers=headers
                    )
                )
            # Wait for every acknowledgement before forgetting any row.
            await asyncio.gather(*deliveries)
            await conn.execute(
                "DELETE FROM outbox WHERE id = ANY($1::bigint[])", [row["id"] for row in rows]
            )
        self.published += len(rows)
        return len(rows)

    async def run(self) -> None:
        """Publish until stopped: woken by NOTIFY at each commit, polling as a fallback."""
        # Leadership and LISTEN live on a dedicated connection: closing it releases both,
        # however the relay ends.
        async with self.db.dedicated() as leader:
            await self._become_leader(leader)
            await leader.add_listener(f"{self.db.schema}_outbox", self._on_notify)
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    await self.publish_pending()
                except Exception as exc:  # broker or database away: keep rows, retry
                    log.warning("relay pass failed, will retry", extra={"error": repr(exc)})
                    await asyncio.sleep(1.0)
                    continue
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.idle_poll_seconds)

    async def _become_leader(self, conn: Connection) -> None:
        key = self.db.schema + ".relay"
        while not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", key):
            if self._stopping.is_set():
                return
            await asyncio.sleep(1.0)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
