"""How far a rebuild has come, for /metrics of the rebuild's Job (the ledgers service
itself does not run rebuilds): the records it has to read, taken under its lock, and
those read so far, from this process and from its share processes as they go."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Gauge


class RebuildProgress:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.records_total = Gauge(
            "crosscheck_rebuild_records_total",
            "Records the rebuild reads: every partition from its start to its end offset",
            registry=registry,
        )
        self.records_read = Gauge(
            "crosscheck_rebuild_records_read",
            "Records the rebuild has read so far (events and unreadable ones)",
            registry=registry,
        )
        self.started = Gauge(
            "crosscheck_rebuild_started_timestamp_seconds",
            "When the rebuild started (Unix time)",
            registry=registry,
        )
        self.finished = Gauge(
            "crosscheck_rebuild_finished_timestamp_seconds",
            "When the rebuild committed its new ledgers (Unix time; 0 until then)",
            registry=registry,
        )
        self.started.set(time.time())

    def target(self, records: int) -> None:
        self.records_total.set(records)

    def read(self, records: int) -> None:
        self.records_read.inc(records)

    def done(self) -> None:
        self.finished.set(time.time())
