"""Who did a step, as the events record it: taken from the caller's token."""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError

from crosscheck_contracts.events.hazards import Actor
from crosscheck_contracts.fields import Id
from crosscheck_platform.auth import Principal

_ID = TypeAdapter(Id)
_NAME_LIMIT = 100  # the contracts' Name


def step_actor(principal: Principal) -> Actor:
    """The token's staff id (when it fits an event id), name and role."""
    staff_id: str | None
    try:
        staff_id = _ID.validate_python(principal.staff_id) if principal.staff_id else None
    except ValidationError:
        staff_id = None
    return Actor(
        staff_id=staff_id,
        name=principal.name.strip()[:_NAME_LIMIT] or principal.subject[:_NAME_LIMIT],
        role=principal.role.value,
    )
