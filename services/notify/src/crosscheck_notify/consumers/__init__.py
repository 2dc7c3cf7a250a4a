"""Kafka consumers of the notify service, started with the service and stopped before
its outbox relay. Each is a RuntimePart that subscribes an IdempotentConsumer."""

from __future__ import annotations

from crosscheck_contracts.base import BoundedContext
from crosscheck_notify.adapters.places import apply_place_event
from crosscheck_notify.adapters.schedule_store import ScheduleStore
from crosscheck_notify.domain.policy import NotifyPolicy
from crosscheck_platform.http import RuntimePart
from crosscheck_platform.http.consumers import consumer_part
from crosscheck_platform.http.infrastructure import load_catalogue


def consumers(policy: NotifyPolicy) -> list[RuntimePart]:
    """The schedule: hazards events in, notices planned (idempotently, any order); and
    the place and notice facts the notices name."""
    store = ScheduleStore(policy, load_catalogue())
    return [
        consumer_part("schedule", [BoundedContext.HAZARDS], store.apply),
        # The places' names and the notices' links, which the texts name.
        consumer_part(
            "places", [BoundedContext.REGISTRY, BoundedContext.HAZARDS], apply_place_event
        ),
    ]
