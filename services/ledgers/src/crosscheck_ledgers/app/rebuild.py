"""Rebuild: replay every topic from its start into a new generation of the ledgers.

Runs in one transaction that first locks the projection tables against writers (the
live consumer waits; readers keep seeing the old ledgers until the commit), then reads
each partition from offset 0 up to its end offset taken *after* the lock: whatever the
live consumer applied before is in that range, whatever comes after it applies once the
lock is released. Field-group upserts are idempotent and commutative, so an event
applied by both is harmless. The rows go into a new generation of the tables, keyed and
indexed once they are all in, which replaces the old one at the end of the transaction
(see adapters/generation); the live consumer's waiting statements then write to the new
tables.

Records are read by partition assignment from the beginning, with no consumer group
(no offsets to commit, no group join): the live consumer's group is left untouched.
Events are decoded, projected and merged in memory, each row once; the merged rows go
into the new, empty tables with COPY at the end, on connections of their own. Only a
history with more rows than `max_rows` is written in parts along the way, with the
guarded upserts (a row may come again in a later part).

Decoding is most of the work, so with `processes` above one (default: one per core)
the partitions are shared out between that many share processes (`python -m` this
module), started before the lock, while this process only holds the transaction and
decides. Each reads its own partitions up to the end offsets this process took under the
lock, merges them and, as this process tells it, COPYs its rows into the new tables on
its own connection. A row already there (it gathers writes of aggregates on partitions
of different shares) is sent to this process instead, which upserts it in its
transaction once the keys are built, merging it. A share process's parts (over its
share of `max_rows`) are sent here and upserted as they come; after a part, every row
is. This process reads nothing itself: its own rows would put their COPY on the path
every share waits on at the end.
With one process, this one reads everything.
"""

from __future__ import annotations

import asyncio
import gc
import os
import pickle
import struct
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.catalogue import EventCatalogue
from crosscheck_ledgers.adapters import sql
from crosscheck_ledgers.adapters.generation import Generation, new_generation
from crosscheck_ledgers.app.progress import RebuildProgress
from crosscheck_ledgers.domain.merge import Key, Patches
from crosscheck_ledgers.domain.projection import Meta, project
from crosscheck_platform import collector
from crosscheck_platform.concurrency import all_of
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.kafka import admin_client
from crosscheck_platform.kafka.security import client_options
from crosscheck_platform.migrations import require_migrated

MAX_ROWS = 2_000_000
# Shares are read and written with the garbage collector off (collector.paused in this
# process, for good in a share process): the merged rows pile up and the collector would
# walk them again and again, even when it collects its youngest generation only rarely
# (the rebuild is measurably shorter without it: bench/RESULTS.md). A collection after a
# share's read finds next to nothing: no cycles pile up.
SHARE_PROCESS_MODULE = "crosscheck_ledgers.app.rebuild"

Share = dict[TopicPartition, int]  # partitions to read, each up to its end offset
Flush = Callable[[Patches], Awaitable[None]]
Advance = Callable[[int], None]  # records read since the last call


@dataclass(frozen=True)
class RebuildStats:
    events: int
    skipped: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


@dataclass
class ShareRead:
    events: int
    skipped: int
    patches: Patches


async def rebuild(
    db: Database,
    bootstrap: str,
    topics: Sequence[str],
    catalogue: EventCatalogue,
    *,
    max_rows: int = MAX_ROWS,
    processes: int | None = None,
    progress: RebuildProgress | None = None,
) -> RebuildStats:
    started = time.perf_counter()
    count = max(1, processes or os.cpu_count() or 1)
    # Started first: their interpreters start and import while this one takes the lock.
    # One process alone reads everything itself; otherwise share processes read it all.
    others = [await ShareProcess.start() for _ in range(count)] if count > 1 else []
    try:
        async with db.pool.acquire() as conn:
            await require_migrated(conn, db.schema, "ledgers")
        partitions = await partitions_of(bootstrap, topics)
        consumer = _consumer(bootstrap)
        await consumer.start()
        try:
            async with new_generation(db.dsn, db.schema) as generation:
                try:
                    async with db.transaction() as conn:
                        await sql.lock(conn)
                        end = await consumer.end_offsets(partitions)  # after the lock
                        live = {tp: offset for tp, offset in end.items() if offset > 0}
                        if progress is not None:
                            progress.target(sum(live.values()))
                        writer = Writer(conn, generation, count, progress)
                        done = await _replay(
                            writer,
                            consumer,
                            catalogue,
                            bootstrap,
                            split(live, count),
                            others,
                            max(1, max_rows // count),
                        )
                        await writer.finish()
                finally:
                    # Before the new tables are dropped, should the rebuild have failed.
                    await _close(others)
        finally:
            await consumer.stop()
    finally:
        await _close(others)
    if progress is not None:
        progress.done()
    events = sum(d.events for d in done)
    skipped = sum(d.skipped for d in done)
    return RebuildStats(events, skipped, time.perf_counter() - started)


async def _replay(
    writer: Writer,
    consumer: AIOKafkaConsumer,
    catalogue: EventCatalogue,
    bootstrap: str,
    shares: list[Share],
    others: list[ShareProcess],
    limit: int,
) -> list[ShareRead]:
    """Every share read and its rows written into the new generation (keys not built
    unless a part needed them)."""
    if not others:
        with collector.paused():
            own = await read_share(
                consumer, catalogue, shares[0], limit, writer.part, writer.advance
            )
            await writer.rows(own.patches)
            # Written: let go of the rows here, or the collection that resumes walks them.
            own.patches = Patches()
        return [own]
    for other, share in zip(others, shares, strict=True):
        await other.send(bootstrap, catalogue, share, limit, writer.generation)
    return await all_of(*(other.result(writer) for other in others))


async def _close(others: list[ShareProcess]) -> None:
    for other in others:
        await other.close()


def split(end: Share, count: int) -> list[Share]:
    """`count` shares of about equal records: largest partitions first, each to the
    share with the fewest records so far."""
    shares: list[Share] = [{} for _ in range(count)]
    sizes = [0] * count
    for tp, offset in sorted(end.items(), key=lambda item: (-item[1], item[0])):
        smallest = sizes.index(min(sizes))
        shares[smallest][tp] = offset
        sizes[smallest] += offset
    return shares


class Writer:
    """Decides how a rebuild's rows go into the new generation of the tables, and
    writes those that go through the rebuild's transaction (`conn`).

    Rows go in with COPY, on connections of their own (committed at once), while the
    tables hold only rows copied before, whose keys are kept. A row already there (it
    gathers writes of aggregates on partitions of different shares) goes in with the
    guarded upsert in the transaction, which merges it; so does every row once a part
    has been written (its keys are not kept). The upserts need the tables' keys, which
    are built once, on `connections` connections: at the first part, or else at the
    end, when the upserts kept until then are written. Nothing is written in the
    transaction before the keys are built: an index build on another connection would
    wait for it.
    """

    def __init__(
        self,
        conn: Connection,
        generation: Generation,
        connections: int,
        progress: RebuildProgress | None = None,
    ) -> None:
        self.conn = conn
        self.generation = generation
        self.connections = connections
        self.progress = progress
        self.present: dict[str, set[Key]] | None = {}
        self.lock = asyncio.Lock()
        self.keyed = False
        self.upserts: list[Patches] = []

    def advance(self, records: int) -> None:
        if self.progress is not None:
            self.progress.read(records)

    async def _key(self) -> None:
        if not self.keyed:
            await self.generation.build_keys(self.connections)
            await self.conn.execute(f"SET LOCAL search_path TO {self.generation.name}")
            self.keyed = True

    async def upsert(self, patches: Patches) -> None:
        """Merge `patches` into the rows written; the caller holds the lock."""
        if self.keyed:
            await sql.write(self.conn, patches)
        else:
            self.upserts.append(patches)

    async def part(self, patches: Patches) -> None:
        async with self.lock:
            await self._key()
            await sql.write(self.conn, patches)
            self.present = None

    async def rows(self, patches: Patches) -> None:
        """Every row of a rebuild read by this process alone: copied into the new
        tables, or upserted over the parts written before."""
        async with self.lock:
            if self.present is None:
                await self.upsert(patches)
            else:
                await self.generation.copy(patches)

    async def finish(self) -> None:
        """Key the new tables, merge the upserts kept, and swap the tables in."""
        async with self.lock:
            await self._key()
            for patches in self.upserts:
                await sql.write(self.conn, patches)
            self.upserts = []
            await self.generation.swap_in(self.conn)
            await self.conn.execute("SET LOCAL search_path TO DEFAULT")


def _consumer(bootstrap: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        **client_options(bootstrap),
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=8 << 20,
        fetch_max_bytes=64 << 20,
    )


async def read_share(
    consumer: AIOKafkaConsumer,
    catalogue: EventCatalogue,
    share: Share,
    max_rows: int,
    flush: Flush,
    advance: Advance | None = None,
) -> ShareRead:
    """Read `share` from the start, merging its events; parts over `max_rows` go to
    `flush`, the rest is returned. `advance` hears of the records read, batch by batch."""
    events = skipped = reported = 0
    patches = Patches()
    if not share:
        return ShareRead(events, skipped, patches)
    consumer.assign(list(share))
    await consumer.seek_to_beginning(*share)
    remaining = set(share)
    while remaining:
        batch = await consumer.getmany(*remaining, timeout_ms=500, max_records=10_000)
        for tp, records in batch.items():
            end = share[tp]
            for record in records:
                if record.offset >= end:
                    break
                try:
                    envelope, event = wire.decode(catalogue, record.headers, record.value)
                except wire.InvalidMessage:
                    skipped += 1  # the live consumer dead-lettered it too
                    continue
                meta = Meta(
                    envelope.township,
                    envelope.county,
                    envelope.aggregateversion,
                    envelope.time,
                )
                patches.add(project(event, meta))
                events += 1
        if advance is not None:
            advance(events + skipped - reported)
            reported = events + skipped
        for tp in list(remaining):
            if await consumer.position(tp) >= share[tp]:
                remaining.discard(tp)
        if len(patches) >= max_rows:
            await flush(patches)
            patches = Patches()
    return ShareRead(events, skipped, patches)


async def partitions_of(bootstrap: str, topics: Sequence[str]) -> list[TopicPartition]:
    async with admin_client(bootstrap) as admin:
        described = await admin.describe_topics(list(topics))
    return sorted(
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        if topic["error_code"] == 0
        for partition in topic["partitions"]
    )


# --- share processes ---------------------------------------------------------------
#
# Frames both ways: a length, then a pickle (only this module's own children are read).
#
#   to the share process   from the share process
#   job                    ("part", Patches)*  while reading, over its share of max_rows
#                          ("read", events, skipped, {table: keys}, sent parts)
#   ("all",)               ("rows", Patches)   every row, to upsert
#   or ("there", {table: keys already in the tables})
#                          ("rows", Patches)   those rows, to upsert
#                          ("copied",)         the others COPYed in and committed
#
# The rows a share process COPYs itself never cross the pipe: pickling their values costs
# more than reading them.

_LENGTH = struct.Struct(">Q")


def _frame(message: Any) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(body)) + body


class ShareProcess:
    """A process reading one share for the rebuild."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls) -> ShareProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            SHARE_PROCESS_MODULE,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        return cls(process)

    async def send(self, *message: Any) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(_frame(message))
            await self.process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            raise await self._ended() from None

    async def result(self, writer: Writer) -> ShareRead:
        while True:
            message = await self._receive()
            if message[0] == "part":
                await writer.part(message[1])
                continue
            if message[0] == "read_so_far":
                writer.advance(message[1])
                continue
            _, events, skipped, keys, sent_parts = message
            async with writer.lock:
                copying = await self._hand_over(writer, keys, sent_parts)
            if copying:  # while the next share hands over
                await self._expect("copied")
            return ShareRead(events, skipped, Patches())

    async def _hand_over(self, writer: Writer, keys: dict[str, list[Key]], parts: bool) -> bool:
        """Tell the share process how its rows go in; whether it COPYs some itself."""
        if writer.present is None or parts:
            # Rows may be in the tables already without their keys being known.
            await self.send("all")
            await writer.upsert(await self._expect("rows"))
            writer.present = None
            return False
        present = writer.present
        there = {
            name: [key for key in table_keys if key in present.get(name, ())]
            for name, table_keys in keys.items()
        }
        await self.send("there", there)
        await writer.upsert(await self._expect("rows"))
        for name, table_keys in keys.items():
            present.setdefault(name, set()).update(table_keys)
        return True

    async def _expect(self, kind: str) -> Any:
        message = await self._receive()
        if message[0] != kind:
            raise RuntimeError(f"rebuild share process sent {message[0]!r}, not {kind!r}")
        return message[1] if len(message) > 1 else None

    async def _receive(self) -> Any:
        assert self.process.stdout is not None
        try:
            length = _LENGTH.unpack(await self.process.stdout.readexactly(_LENGTH.size))[0]
            body = await self.process.stdout.readexactly(length)
        except asyncio.IncompleteReadError:
            raise await self._ended() from None
        return pickle.loads(body)

    async def _ended(self) -> RuntimeError:
        code = await self.process.wait()
        return RuntimeError(f"rebuild share process ended with exit code {code}")

    async def close(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()


class _Parent:
    """The share process's side of the frames."""

    def __init__(self, incoming: IO[bytes], outgoing: IO[bytes]) -> None:
        self.incoming = incoming
        self.outgoing = outgoing

    def send(self, *message: Any) -> None:
        self.outgoing.write(_frame(message))
        self.outgoing.flush()

    def receive(self) -> Any:
        length = _LENGTH.unpack(self.incoming.read(_LENGTH.size))[0]
        return pickle.loads(self.incoming.read(length))


async def _serve(parent: _Parent) -> None:
    bootstrap, catalogue, share, max_rows, generation = parent.receive()
    sent_parts = False

    async def send_part(patches: Patches) -> None:
        nonlocal sent_parts
        parent.send("part", patches)
        sent_parts = True

    consumer = _consumer(bootstrap)
    await consumer.start()
    try:
        read = await read_share(
            consumer,
            catalogue,
            share,
            max_rows,
            send_part,
            lambda records: parent.send("read_so_far", records),
        )
    finally:
        await consumer.stop()
    patches = read.patches
    keys = {name: list(rows) for name, (_, rows) in patches.tables.items()}
    parent.send("read", read.events, read.skipped, keys, sent_parts)
    answer = parent.receive()
    if answer[0] == "all":
        parent.send("rows", patches)
        return
    there = answer[1]
    parent.send("rows", patches.take({name: set(keys) for name, keys in there.items()}))
    await generation.copy(patches)
    parent.send("copied")


def _share_process_main() -> None:
    # A share process lives for one rebuild and keeps what it reads until it ends: the
    # cyclic garbage collector stays off throughout (see SHARE_PROCESS_MODULE), and the
    # process ends without freeing its rows one by one. Turning the collector back on
    # after the read made its next collection walk every row kept, on the path the
    # rebuild waits on.
    gc.disable()
    # Frames go to a private copy of stdout; anything printed goes to stderr instead.
    outgoing = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    asyncio.run(_serve(_Parent(sys.stdin.buffer, outgoing)))
    os._exit(0)


if __name__ == "__main__":
    _share_process_main()
