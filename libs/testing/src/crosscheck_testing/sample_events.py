"""Test-only events, so the plumbing's tests do not depend on the domain's catalogue."""

from __future__ import annotations

from typing import ClassVar

from crosscheck_contracts.base import BoundedContext, Event
from crosscheck_contracts.catalogue import EventCatalogue
from crosscheck_contracts.envelope import Tenant


class Counted(Event):
    event_type: ClassVar[str] = "crosscheck.test.Counted"
    context: ClassVar[BoundedContext] = BoundedContext.REGISTRY
    n: int
    amount: int = 1


class Renamed(Event):
    event_type: ClassVar[str] = "crosscheck.test.Renamed"
    context: ClassVar[BoundedContext] = BoundedContext.HAZARDS
    name: str


TEST_CATALOGUE = EventCatalogue([Counted, Renamed])
TENANT = Tenant(county="532327", township="532327101")
