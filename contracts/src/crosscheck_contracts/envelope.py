"""The envelope: CloudEvents 1.0 attributes plus Crosscheck's extensions.

On Kafka the envelope travels in headers (CloudEvents Kafka binary binding: `ce_<attr>`),
the payload as JSON in the value, and the aggregate id as the key. Extension attribute
names follow the CloudEvents rule (lower-case letters and digits only).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID, uuid4

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from crosscheck_contracts.base import Event


def _must_be_aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("time must carry a timezone (UTC on the wire)")
    return value.astimezone(UTC)


AwareDatetime = Annotated[datetime, AfterValidator(_must_be_aware)]

SPECVERSION: Literal["1.0"] = "1.0"
CONTENT_TYPE: Literal["application/json"] = "application/json"


class Tenant(BaseModel):
    """Who an event belongs to: every command, event and row carries it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    county: str = Field(min_length=1, max_length=32)
    township: str = Field(min_length=1, max_length=32)


class Envelope(BaseModel):
    """Everything about an event except its payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # CloudEvents core attributes
    id: UUID
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    specversion: Literal["1.0"] = SPECVERSION
    time: AwareDatetime
    subject: str = Field(min_length=1)
    datacontenttype: Literal["application/json"] = CONTENT_TYPE
    dataschema: str | None = None
    # Crosscheck extensions
    township: str = Field(min_length=1)
    county: str = Field(min_length=1)
    aggregateid: str = Field(min_length=1)
    aggregateversion: int = Field(ge=1)
    correlationid: UUID
    causationid: UUID | None = None
    schemaversion: int = Field(ge=1)

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
