"""Building hazard histories for domain tests: events with versions and times."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from crosscheck_contracts.base import Event
from crosscheck_contracts.events.hazards import (
    DeadlineExtended,
    HazardFound,
    RectificationAssigned,
    RectificationRejected,
    RectificationReported,
    RectificationVerified,
)
from crosscheck_contracts.samples import sample
from crosscheck_notify.domain.history import Recorded

T0 = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, a Monday
DEADLINE = T0 + timedelta(days=7)
TOWNSHIP = "532327101"


class History:
    """A hazard's events as the hazards service would number them."""

    def __init__(self, hazard_id: str = "hz-1") -> None:
        self.hazard_id = hazard_id
        self.records: list[Recorded] = []

    def add(self, event: Event, at: datetime) -> History:
        self.records.append(
            Recorded(
                version=len(self.records) + 1,
                event_id=uuid.uuid4(),
                correlation_id=uuid.uuid4(),
                occurred_at=at,
                event=event,
            )
        )
        return self

    def found(self, at: datetime = T0) -> History:
        return self.add(
            sample(
                HazardFound,
                hazard_id=self.hazard_id,
                found_at=at,
                village_id="v-1",
                site_id="site-1",
                group_id="g-1",
            ),
            at,
        )

    def assigned(self, deadline: datetime = DEADLINE, at: datetime = T0) -> History:
        return self.add(
            sample(
                RectificationAssigned,
                hazard_id=self.hazard_id,
                deadline=deadline,
                supervising_village_id="v-1",
            ),
            at,
        )

    def extended(self, previous: datetime, new: datetime, at: datetime) -> History:
        return self.add(
            sample(
                DeadlineExtended,
                hazard_id=self.hazard_id,
                previous_deadline=previous,
                new_deadline=new,
            ),
            at,
        )

    def reported(self, at: datetime) -> History:
        return self.add(sample(RectificationReported, hazard_id=self.hazard_id, reported_at=at), at)

    def rejected(self, at: datetime, new_deadline: datetime) -> History:
        return self.add(
            sample(
                RectificationRejected,
                hazard_id=self.hazard_id,
                rejected_at=at,
                new_deadline=new_deadline,
            ),
            at,
        )

    def verified(self, at: datetime) -> History:
        return self.add(sample(RectificationVerified, hazard_id=self.hazard_id, verified_at=at), at)
