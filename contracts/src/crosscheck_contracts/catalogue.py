"""The catalogue: wire type name + schema version -> payload model, with upcasters.

Old versions of an event are upcast on read, one version step at a time, so that
stored history never has to be rewritten (the `eventsourcing` library's approach).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from crosscheck_contracts.base import BoundedContext, Event

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventType(LookupError):
    """The message names a type (or version) this catalogue does not know."""


class UpcastFailed(ValueError):
    """Old data could not be brought up to the current version (it is malformed)."""


class EventCatalogue:
    def __init__(
        self,
        events: Iterable[type[Event]],
        upcasters: Mapping[tuple[str, int], Upcaster] | None = None,
    ) -> None:
        self._current: dict[str, type[Event]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        for model in events:
            if model.event_type in self._current:
                raise ValueError(f"event type registered twice: {model.event_type}")
            self._current[model.event_type] = model
        for (event_type, from_version), upcast in (upcasters or {}).items():
            self.register_upcaster(event_type, from_version, upcast)

    def register_upcaster(self, event_type: str, from_version: int, upcast: Upcaster) -> None:
        """Register how to turn `from_version` data into `from_version + 1` data."""
        self._upcasters[(event_type, from_version)] = upcast

    def has_upcaster(self, event_type: str, from_version: int) -> bool:
        return (event_type, from_version) in self._upcasters

    def model(self, event_type: str) -> type[Event]:
        try:
            return self._current[event_type]
        except KeyError:
            raise UnknownEventType(f"unknown event type {event_type!r}") from None

    def upcast(self, event_type: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
        model = self.model(event_type)
        if version > model.schema_version:
            raise UnknownEventType(
                f"{event_type} v{version} is newer than this reader (v{model.schema_version})"
            )
        while version < model.schema_version:
            step = self._upcasters.get((event_type, version))
            if step is None:
                raise UnknownEventType(f"no upcaster for {event_type} v{version}")
            try:
                data = step(data)
            except (KeyError, TypeError, ValueError) as exc:
                # Upcasters are written for well-formed old data; anything else is bad input.
                raise UpcastFailed(
                    f"cannot upcast {event_type} v{version}: {type(exc).__name__}: {exc}"
                ) from exc
            version += 1
        return data

    def decode_json(self, event_type: str, version: int, raw: bytes | str) -> Event:
        """Validate stored or received JSON as the current model (strict, JSON rules).

        Raises UnknownEventType, UpcastFailed, or pydantic.ValidationError.
        """
        model = self.model(event_type)
        if version != model.schema_version:
            try:
                data = json.loads(raw)
            except ValueError as exc:
                raise UpcastFailed(f"{event_type} v{version} payload is not JSON: {exc}") from None
            if not isinstance(data, dict):
                raise UpcastFailed(f"{event_type} v{version} payload is not a JSON object")
            raw = json.dumps(self.upcast(event_type, version, data))
        return model.model_validate_json(raw)

    def __iter__(self) -> Iterator[type[Event]]:
        return iter(self._current.values())

    def __len__(self) -> int:
        return len(self._current)

    def of_context(self, context: BoundedContext) -> list[type[Event]]:
        return [m for m in self._current.values() if m.context is context]
