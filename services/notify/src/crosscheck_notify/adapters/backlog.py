"""The notices that are due and not yet delivered, for /metrics: a backlog that grows
means the workers fall behind (or a channel keeps failing and retries pile up)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from crosscheck_platform.http.runtime import ServiceRuntime

DUE_UNSENT = """
    SELECT count(*) AS due, min(due_at) AS oldest FROM notices
    WHERE state = 'pending' AND due_at <= $1"""


def due_backlog(
    clock: Callable[[], datetime],
) -> Callable[[ServiceRuntime], Awaitable[Sequence[Metric]]]:
    async def read(runtime: ServiceRuntime) -> Sequence[Metric]:
        now = clock()
        (row,) = await runtime.database.fetch(DUE_UNSENT, now)
        due = GaugeMetricFamily(
            "crosscheck_notify_due_unsent",
            "Notices whose due time has passed and that are not delivered yet",
        )
        due.add_metric([], row["due"])
        age = GaugeMetricFamily(
            "crosscheck_notify_oldest_due_seconds",
            "How long the oldest due, undelivered notice has been due (0 when none is)",
        )
        age.add_metric([], (now - row["oldest"]).total_seconds() if row["oldest"] else 0.0)
        return [due, age]

    return read
