"""Gauges read at scrape time from where the truth is (a count in the database, offsets in
Kafka), rather than kept up to date by the code that changes them.

Each source is an async function returning metric families; /metrics awaits them all
(each with a time limit) and then renders the registry. A source that fails or is
late is left out of that scrape and counted, so one unreachable dependency does not
take the others' figures with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

MetricsSource = Callable[[], Awaitable[Sequence[Metric]]]

SOURCE_SECONDS = 5.0


class ScrapeTime(Collector):
    """Hands the registry what the sources returned for the scrape in progress."""

    def __init__(self, sources: Mapping[str, MetricsSource], registry: CollectorRegistry) -> None:
        self.sources = dict(sources)
        self.families: list[Metric] = []
        self.failures = Counter(
            "crosscheck_metrics_source_failures",
            "Scrapes in which a metrics source failed or took too long",
            ["source"],
            registry=registry,
        )
        # Two scrapes at once would hand the registry each other's families.
        self.lock = asyncio.Lock()
        registry.register(self)

    def collect(self) -> Iterator[Metric]:
        yield from self.families

    async def refresh(self) -> None:
        names = list(self.sources)
        results = await asyncio.gather(*(self._read(n) for n in names))
        self.families = [family for result in results for family in result]

    async def _read(self, name: str) -> Sequence[Metric]:
        try:
            async with asyncio.timeout(SOURCE_SECONDS):
                return await self.sources[name]()
        except Exception as exc:
            log.warning("metrics source failed", extra={"source": name, "error": repr(exc)})
            self.failures.labels(name).inc()
            return ()
