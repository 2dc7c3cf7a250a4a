"""Constrained field types shared by every event payload.

Bounds live here, once, so that all contexts agree on what an id, a name or a free
text may be, and the exported JSON Schemas say the same thing the code enforces.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, datetime
from typing import Annotated, TypeVar

from pydantic import AfterValidator, Field, StringConstraints

T = TypeVar("T", bound=Hashable)


def _must_be_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("time must carry a timezone (UTC on the wire)")
    # Normalised to UTC so that every producer writes the same wire form.
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+05:00 has no UTC equivalent
        raise ValueError("time is out of range once converted to UTC") from None


AwareDatetime = Annotated[datetime, AfterValidator(_must_be_aware)]
"""A point in time with its offset; naive times are rejected, stored as UTC."""

Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"),
]
"""An opaque identifier (a UUID string or a code): no spaces, no personal data."""

CountyCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
"""County-level administrative division code (行政区划代码), e.g. 532327."""

TownshipCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{9}$")]
"""Township-level statistical division code (统计用区划代码), 9 digits."""

VillageCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")]
"""Village-committee-level statistical division code, 12 digits."""

Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
"""A human name or the name of a place, unit, zone or group."""

Address = Annotated[str, StringConstraints(min_length=1, max_length=300)]

Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
"""Free text written by a person: a reason, a note, a description."""

Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
"""A snake_case code from an open set (new codes may appear without a new schema)."""

# Private persons' phone numbers never travel on public topics: only a masked form that
# lets a clerk recognise the number (at least four digits hidden, at most four shown).
MaskedPhone = Annotated[
    str,
    StringConstraints(max_length=20, pattern=r"^[0-9+\- ]{0,8}\*{4,}[0-9]{0,4}$"),
]
"""A masked phone number, e.g. 138****5678."""

Seed = Annotated[int, Field(ge=0, le=2**63 - 1)]
"""A random seed; bounded so that every JSON reader can hold it in a signed 64-bit int."""


RosterVersion = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""The SHA-256 (hex) of a roster's content: the staff with their facts and the open places
a decision read. The same roster has the same version wherever and whenever it is read."""


def no_duplicates(values: list[T]) -> list[T]:
    seen: set[T] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate entry {value!r}")
        seen.add(value)
    return values


IdList = Annotated[
    list[Id], AfterValidator(no_duplicates), Field(json_schema_extra={"uniqueItems": True})
]
"""A list of distinct ids."""
