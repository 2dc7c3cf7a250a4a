"""The envelope: CloudEvents 1.0 attributes plus Crosscheck's extensions.

On Kafka the envelope travels in headers (CloudEvents Kafka binary binding: `ce_<attr>`),
the payload as JSON in the value, and the aggregate id as the key. Extension attribute
names follow the CloudEvents rule (lower-case letters and digits only).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final, Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from crosscheck_contracts.base import Event
from crosscheck_contracts.fields import AwareDatetime

__all__ = ["CONTENT_TYPE", "SPECVERSION", "AwareDatetime", "Envelope", "Tenant"]

SPECVERSION: Final = "1.0"
CONTENT_TYPE: Final = "application/json"


class Tenant(BaseModel):
    """Who an event belongs to: every command, event and row carries it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    county: str = Field(min_length=1, max_length=32)
    township: str = Field(min_length=1, max_length=32)


class Envelope(BaseModel):
    """Everything about an event except its payload (CloudEvents 1.0 context attributes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # CloudEvents core attributes
    id: UUID = Field(description="Unique per event; consumers de-duplicate on it.")
    source: str = Field(min_length=1, description="/crosscheck/<context> of the producer.")
    type: str = Field(
        min_length=1, description="Stable event type, e.g. crosscheck.hazards.HazardFound."
    )
    specversion: Literal["1.0"] = SPECVERSION
    time: AwareDatetime = Field(description="When the event was recorded (UTC).")
    subject: str = Field(min_length=1, description="The aggregate the event is about (its id).")
    datacontenttype: Literal["application/json"] = CONTENT_TYPE
    dataschema: str | None = Field(
        default=None, description="URN of the payload's JSON Schema, including its version."
    )
    # Crosscheck extensions
    township: str = Field(min_length=1, description="Tenant: township division code.")
    county: str = Field(min_length=1, description="Tenant: county division code.")
    aggregateid: str = Field(min_length=1, description="Aggregate id; also the Kafka key.")
    aggregateversion: int = Field(
        ge=1, description="Position of the event in its aggregate's stream, from 1."
    )
    correlationid: UUID = Field(description="Id of the event or command that began the chain.")
    causationid: UUID | None = Field(
        default=None, description="Id of the event or command that directly caused this one."
    )
    schemaversion: int = Field(ge=1, description="Version of the payload schema.")

    @property
    def tenant(self) -> Tenant:
        return Tenant(county=self.county, township=self.township)

    @classmethod
    def for_event(
        cls,
        event: Event,
        *,
        tenant: Tenant,
        aggregate_id: str,
        aggregate_version: int,
        correlation_id: UUID | None = None,
        causation_id: UUID | None = None,
        event_id: UUID | None = None,
        time: datetime | None = None,
    ) -> Envelope:
        event_id = event_id or uuid4()
        return cls(
            id=event_id,
            source=f"/crosscheck/{event.context.value}",
            type=event.event_type,
            time=time or datetime.now(UTC),
            subject=aggregate_id,
            dataschema=event.schema_id(),
            township=tenant.township,
            county=tenant.county,
            aggregateid=aggregate_id,
            aggregateversion=aggregate_version,
            # A command that starts a chain correlates to itself.
            correlationid=correlation_id or event_id,
            causationid=causation_id,
            schemaversion=event.schema_version,
        )
