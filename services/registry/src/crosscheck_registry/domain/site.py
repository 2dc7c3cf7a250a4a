"""The place (场所) aggregate: registered, updated, closed; a closed place keeps its history.

The responsible person's full phone number is not part of the aggregate: events carry
only its masked form, and the number itself is kept in the registry's private contacts.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from crosscheck_contracts.base import Event
from crosscheck_contracts.events.registry import (
    GeoPoint,
    SiteClosed,
    SiteRegistered,
    SiteType,
    SiteUpdated,
)
from crosscheck_platform.errors import StateConflict
from crosscheck_platform.eventstore import Aggregate
from crosscheck_registry.domain.values import mask_phone


@dataclass(frozen=True)
class SiteFacts:
    """What is known about a place; `responsible_phone` is the full, canonical number."""

    name: str
    village_id: str
    site_type: SiteType
    address: str
    responsible_name: str
    responsible_phone: str | None = None
    location: GeoPoint | None = None


@dataclass(frozen=True)
class SiteChanges:
    """New values for some facts; None leaves a fact as it is (a phone cannot be erased:
    the contract has no way to say so, and an inspected place always has a contact)."""

    name: str | None = None
    village_id: str | None = None
    site_type: SiteType | None = None
    address: str | None = None
    responsible_name: str | None = None
    responsible_phone: str | None = None
    location: GeoPoint | None = None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


class Site(Aggregate):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.registered = False
        self.closed = False
        self.name = ""
        self.village_id = ""
        self.site_type = SiteType.OTHER
        self.address = ""
        self.responsible_name = ""
        self.responsible_phone_masked: str | None = None
        self.location: GeoPoint | None = None

    @classmethod
    def register(cls, site_id: str, facts: SiteFacts) -> Site:
        site = cls(site_id)
        site._emit(
            SiteRegistered(
                site_id=site_id,
                name=facts.name,
                village_id=facts.village_id,
                site_type=facts.site_type,
                address=facts.address,
                location=facts.location,
                responsible_name=facts.responsible_name,
                responsible_phone_masked=(
                    mask_phone(facts.responsible_phone) if facts.responsible_phone else None
                ),
            )
        )
        return site

    def update(self, changes: SiteChanges) -> bool:
        """Emit SiteUpdated with the facts that really change; False if none does.
        A given phone always counts as a change: its masked form may equal the old one
        while the number differs, and only the caller knows the old number."""
        self._must_be_open()
        wanted = {
            key: value
            for key, value in changes.as_dict().items()
            if key != "responsible_phone" and getattr(self, key) != value
        }
        if changes.responsible_phone:
            wanted["responsible_phone_masked"] = mask_phone(changes.responsible_phone)
        if not wanted:
            return False
        self._emit(SiteUpdated(site_id=self.id, **wanted))
        return True

    def close(self, reason: str, closed_on: date) -> None:
        self._must_be_open()
        self._emit(SiteClosed(site_id=self.id, reason=reason, closed_on=closed_on))

    def _must_be_open(self) -> None:
        if not self.registered:
            raise StateConflict("registry.site.unknown", site_id=self.id)
        if self.closed:
            raise StateConflict("registry.site.closed", site_id=self.id, name=self.name)

    def apply(self, event: Event) -> None:
        if isinstance(event, SiteRegistered):
            self.registered = True
            for key in ("name", "village_id", "site_type", "address", "responsible_name"):
                setattr(self, key, getattr(event, key))
            self.responsible_phone_masked = event.responsible_phone_masked
            self.location = event.location
        elif isinstance(event, SiteUpdated):
            for key in SiteUpdated.model_fields:
                value = getattr(event, key)
                if key != "site_id" and value is not None:
                    setattr(self, key, value)
        elif isinstance(event, SiteClosed):
            self.closed = True
