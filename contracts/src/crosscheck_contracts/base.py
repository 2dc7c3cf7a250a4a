"""The base every event payload model derives from.

Payloads are strict: unknown fields and wrong types are rejected, so a producer bug
shows up at the producer's tests rather than in a subscriber's ledger.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class BoundedContext(StrEnum):
    REGISTRY = "registry"
    ROTATION = "rotation"
    HAZARDS = "hazards"
    NOTIFY = "notify"


class Event(BaseModel):
    """An event payload: the CloudEvents `data` of one message.

    `event_type` is the stable wire name (never derived from the Python class path);
    `schema_version` changes whenever the payload changes incompatibly.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    context: ClassVar[BoundedContext]

    @classmethod
    def schema_id(cls) -> str:
        """URI naming this payload's JSON Schema (CloudEvents `dataschema`)."""
        return f"urn:crosscheck:schema:{cls.event_type}:v{cls.schema_version}"


class Payload(BaseModel):
    """Base for value objects nested inside event payloads: same strictness."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
