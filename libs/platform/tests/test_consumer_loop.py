"""The consumer loop: a batch that fails goes again from its first offsets, so that
nothing is skipped, nothing applied twice and every partition stays in order, and the
offsets committed are those applied."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import TopicPartition

from crosscheck_platform.consumer.loop import ConsumerLoop


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int


class FakeKafka:
    """Partitions of records, a position each: what the loop uses of AIOKafkaConsumer."""

    def __init__(self, sizes: dict[TopicPartition, int], per_fetch: int) -> None:
        self.log = {
            tp: [Record(tp.topic, tp.partition, o) for o in range(n)] for tp, n in sizes.items()
        }
        self.position = dict.fromkeys(sizes, 0)
        self.order = list(sizes)
        self.per_fetch = per_fetch
        self.committed: dict[TopicPartition, int] = {}

    async def getmany(self, *, timeout_ms: int, max_records: int) -> dict[TopicPartition, Any]:
        """The next partition's next records, round robin."""
        await asyncio.sleep(0)
        for _ in range(len(self.log)):
            tp = self.order.pop(0)
            self.order.append(tp)
            batch = self.log[tp][self.position[tp] : self.position[tp] + self.per_fetch]
            if batch:
                self.position[tp] += len(batch)
                return {tp: batch}
        return {}

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.position[tp] = offset

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.committed.update(offsets)


class FlakyConsumer:
    """Applies records in memory; the batches holding `fail_at` fail once each."""

    name = "flaky"

    def __init__(self, fail_at: set[tuple[int, int]]) -> None:
        self.fail_at = set(fail_at)
        self.applied: list[tuple[int, int]] = []

    async def handle_records(self, records: Sequence[Any]) -> None:
        await asyncio.sleep(0.001)  # the transaction
        failing = self.fail_at & {(r.partition, r.offset) for r in records}
        if failing:
            self.fail_at -= failing
            raise OSError("the database went away")
        self.applied.extend((r.partition, r.offset) for r in records)


async def test_a_failed_batch_goes_again_in_order() -> None:
    sizes = {TopicPartition("t", 0): 50, TopicPartition("t", 1): 30, TopicPartition("t", 2): 7}
    kafka = FakeKafka(sizes, per_fetch=4)
    consumer = FlakyConsumer(fail_at={(0, 9), (1, 20), (2, 5), (0, 44), (0, 45)})
    loop = ConsumerLoop("127.0.0.1:1", ["t"], retry_seconds=0)
    loop.consumer = consumer  # type: ignore[assignment]
    task = asyncio.create_task(loop._run(kafka))
    try:
        async with asyncio.timeout(10):
            while len(consumer.applied) < sum(sizes.values()) or consumer.fail_at:
                await asyncio.sleep(0.005)
            await asyncio.sleep(0.05)  # nothing more comes
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    assert not consumer.fail_at
    for tp, size in sizes.items():
        offsets = [o for p, o in consumer.applied if p == tp.partition]
        assert offsets == list(range(size)), tp
    assert kafka.committed == sizes
