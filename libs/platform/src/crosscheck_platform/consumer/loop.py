"""Running an IdempotentConsumer over Kafka topics with aiokafka itself: fetch a batch,
apply it (one database transaction), then commit its offsets. Nothing is committed
before the transaction (at least once); a batch that fails for a transient reason is
sought back and fetched again after a pause. Why not FastStream: libs/platform/README.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError

from crosscheck_platform.consumer.deadletter import DeadLetter
from crosscheck_platform.consumer.runner import TRANSIENT, IdempotentConsumer
from crosscheck_platform.kafka.clients import reliable_producer
from crosscheck_platform.kafka.security import KafkaSecurity, client_options

log = logging.getLogger(__name__)

# Records per batch when there is a backlog (live traffic makes small batches anyway).
# Each batch costs a transaction and an offset commit: larger batches apply a backlog
# markedly faster in the foundation benchmark, for a few MB of decoded events.
MAX_RECORDS = 2000


class ConsumerLoop:
    """An IdempotentConsumer over `topics`, in its own consumer group (its name).

        loop = ConsumerLoop(bootstrap, topics)
        consumer = IdempotentConsumer(..., dead_letters=loop.dead_letter)
        await loop.start(consumer)

    `idle_wait_ms` bounds how long a fetch waits for records on idle topics, and so how
    late an event that arrives then is picked up. `options` go to AIOKafkaConsumer
    (e.g. session_timeout_ms)."""

    def __init__(
        self,
        bootstrap: str | Sequence[str],
        topics: Sequence[str],
        *,
        security: KafkaSecurity | None = None,
        max_records: int = MAX_RECORDS,
        idle_wait_ms: int = 20,
        retry_seconds: float = 1.0,
        **options: Any,
    ) -> None:
        self.topics = tuple(topics)
        self.max_records = max_records
        self.idle_wait_ms = idle_wait_ms
        self.retry_seconds = retry_seconds
        self._bootstrap, self._security = bootstrap, security
        self._options = {**client_options(bootstrap, security), **options}
        self.kafka: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        self._task: asyncio.Task[None] | None = None
        self._committing: asyncio.Task[None] | None = None

    async def dead_letter(self, letter: DeadLetter, consumer: str) -> None:
        """Send a dead letter (acks=all); the batch commits only after it."""
        if self._producer is None:
            raise RuntimeError("the consumer loop has not started")
        await self._producer.send_and_wait(
            letter.destination,
            value=letter.value or b"",
            key=letter.key,
            headers=letter.headers_for(consumer),
        )

    async def start(self, consumer: IdempotentConsumer) -> None:
        self.consumer = consumer
        self._producer = reliable_producer(self._bootstrap, self._security)
        await self._producer.start()
        self.kafka = AIOKafkaConsumer(
            *self.topics,
            group_id=consumer.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **self._options,
        )
        try:
            await self.kafka.start()
        except BaseException:
            await self._producer.stop()
            raise
        self._task = asyncio.create_task(self._run(self.kafka), name=f"{consumer.name}-loop")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.kafka is not None:
            await self.kafka.stop()
        if self._producer is not None:
            await self._producer.stop()

    async def _run(self, kafka: AIOKafkaConsumer) -> None:
        try:
            while True:
                await self._once(kafka)
        finally:
            if self._committing is not None:
                # The last batch applied: its offsets still go to Kafka on a stop.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(asyncio.shield(self._committing), 10)

    async def _once(self, kafka: AIOKafkaConsumer) -> None:
        """One batch fetched and applied, its offsets on their way to Kafka. A method of
        its own so that the batch's records are let go of before the next fetch starts
        (the collector runs during fetches and would walk them)."""
        fetched = await kafka.getmany(timeout_ms=self.idle_wait_ms, max_records=self.max_records)
        records = [record for batch in fetched.values() for record in batch]
        if not records:
            return
        try:
            await self.consumer.handle_records(records)
        except TRANSIENT as exc:
            log.warning(
                "batch will be retried",
                extra={"consumer": self.consumer.name, "error": repr(exc)},
            )
            await self._again(kafka, fetched)
            return
        except Exception:
            # Not the events' fault (those go to the dead-letter topic): keep the
            # loop alive and read the batch again rather than stop consuming.
            log.exception("batch failed; retried", extra={"consumer": self.consumer.name})
            await self._again(kafka, fetched)
            return
        # The offsets go to Kafka while the next batch is fetched and applied: the
        # database already holds what was applied (positions or event ids), the
        # committed offsets only save a restart reading it again. One commit at a time,
        # in order.
        offsets = {tp: batch[-1].offset + 1 for tp, batch in fetched.items()}
        if self._committing is not None:
            await self._committing
        self._committing = asyncio.create_task(self._commit(kafka, offsets))

    async def _again(self, kafka: AIOKafkaConsumer, fetched: dict[TopicPartition, Any]) -> None:
        await asyncio.sleep(self.retry_seconds)
        for tp, batch in fetched.items():
            with contextlib.suppress(IllegalStateError):  # no longer ours after a rebalance
                kafka.seek(tp, batch[0].offset)

    async def _commit(self, kafka: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        try:
            await kafka.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:
            # The group rebalanced meanwhile: the partitions' new owner reads from the
            # last commit, and the consumer's tracking skips what this batch applied.
            log.info(
                "offsets not committed after a rebalance",
                extra={"consumer": self.consumer.name, "error": repr(exc)},
            )
