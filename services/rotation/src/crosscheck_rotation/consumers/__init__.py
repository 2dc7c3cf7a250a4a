"""Kafka consumers of the rotation service, started with the service and stopped before
its outbox relay.

The roster consumer keeps the read model of villages, places and staff from the
registry's events. It does not replan by itself: a replan is a solver run of seconds
and a decision the township's admin takes (`POST .../replan`) once the roster changes
are in, so several changes (e.g. an edited roster import) make one replan, not many.
It also keeps what the rounds found (HazardFound, RectificationVerified from the hazards
topic, RectificationOverdue from notify's), which weighs the zones of the next replan.
"""

from __future__ import annotations

from crosscheck_contracts.base import BoundedContext
from crosscheck_platform.http import RuntimePart
from crosscheck_platform.http.consumers import consumer_part
from crosscheck_rotation.adapters.roster import apply_registry_event


def consumers() -> list[RuntimePart]:
    topics = [BoundedContext.REGISTRY, BoundedContext.HAZARDS, BoundedContext.NOTIFY]
    return [consumer_part("roster", topics, apply_registry_event)]
