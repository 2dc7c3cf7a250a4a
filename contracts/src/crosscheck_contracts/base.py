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
    `aggregate_field` names the payload field that holds the id of the aggregate the
    event is about: the envelope's `aggregateid`, `subject` and the Kafka key.
    """

    # Written out (not shared through a variable) so that mypy's pydantic plugin sees
    # `frozen`. Attribute docstrings become field descriptions in the exported schemas:
    # subscribers read the same text engineers read in the code.
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True
    )

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    context: ClassVar[BoundedContext]
    aggregate_field: ClassVar[str | None] = None

    @classmethod
    def schema_id(cls) -> str:
        """URI naming this payload's JSON Schema (CloudEvents `dataschema`)."""
        return f"urn:crosscheck:schema:{cls.event_type}:v{cls.schema_version}"

    def aggregate_id(self) -> str:
        """The id of the aggregate this event is about, read from `aggregate_field`."""
        if self.aggregate_field is None:
            raise TypeError(f"{type(self).__name__} declares no aggregate_field")
        value = getattr(self, self.aggregate_field)
        if not isinstance(value, str):
            raise TypeError(f"{type(self).__name__}.{self.aggregate_field} is not a string id")
        return value


class Payload(BaseModel):
    """Base for value objects nested inside event payloads: same strictness."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True
    )
