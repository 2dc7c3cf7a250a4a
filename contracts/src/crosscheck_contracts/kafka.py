"""CloudEvents Kafka binary binding for Crosscheck messages.

Written against the binding spec rather than an SDK so that the contracts package has
one dependency (pydantic); the tests prove the official `cloudevents` SDK reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from crosscheck_contracts.base import Event
from crosscheck_contracts.catalogue import EventCatalogue, UnknownEventType, UpcastFailed
from crosscheck_contracts.envelope import Envelope

CE_PREFIX = "ce_"
CONTENT_TYPE_HEADER = "content-type"

Headers = list[tuple[str, bytes]]

_ATTRIBUTES = frozenset(Envelope.model_fields)
_HEADER_ATTRIBUTES = {CE_PREFIX + name: name for name in _ATTRIBUTES} | {
    CONTENT_TYPE_HEADER: "datacontenttype"
}


class InvalidMessage(ValueError):
    """A message that cannot be read as a Crosscheck event; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _format_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def encode_headers(envelope: Envelope) -> Headers:
    headers: Headers = []
    for name, value in envelope.model_dump(exclude_none=True).items():
        if name == "datacontenttype":
            headers.append((CONTENT_TYPE_HEADER, str(value).encode()))
            continue
        text = _format_time(value) if isinstance(value, datetime) else str(value)
        headers.append((CE_PREFIX + name, text.encode()))
    return headers


def encode(envelope: Envelope, event: Event) -> tuple[bytes, Headers, bytes]:
    """Return (key, headers, value) for one event."""
    # A mismatch here would publish a payload that no reader can validate.
    if envelope.type != event.event_type or envelope.schemaversion != event.schema_version:
        raise ValueError(
            f"envelope says {envelope.type} v{envelope.schemaversion}, "
            f"payload is {event.event_type} v{event.schema_version}"
        )
    return envelope.aggregateid.encode(), encode_headers(envelope), event.model_dump_json().encode()


_attribute_of = _HEADER_ATTRIBUTES.get
_validate_envelope = Envelope.__pydantic_validator__.validate_python


def decode_headers(headers: Iterable[tuple[str, bytes]] | None) -> Envelope:
    # This runs for every message a consumer reads: one comprehension over the headers
    # (exact names first; unknown ones collect under None and are dropped) instead of a
    # loop with a try block per header. Anything it cannot read is read again slowly,
    # header by header, to name the header at fault.
    try:
        attributes: dict[str | None, Any] = {
            _attribute_of(name) or _attribute_of(name.lower()): raw.decode()
            for name, raw in headers or ()
        }
    except (UnicodeDecodeError, AttributeError):
        return _decode_headers_slowly(headers)
    attributes.pop(None, None)
    if "type" not in attributes:
        raise InvalidMessage("not a CloudEvent: header ce_type missing")
    try:
        envelope: Envelope = _validate_envelope(attributes, strict=False)
    except ValidationError as exc:
        raise InvalidMessage(f"invalid envelope: {_summarise(exc)}") from None
    return envelope


def _decode_headers_slowly(headers: Iterable[tuple[str, bytes]] | None) -> Envelope:
    attributes: dict[str, Any] = {}
    for name, raw in headers or ():
        # Exact names first: this runs for every message a consumer reads.
        attribute = _HEADER_ATTRIBUTES.get(name) or _HEADER_ATTRIBUTES.get(name.lower())
        if attribute is None:
            # Other headers, and extensions we do not know (tracing's traceparent, the
            # SDK's partitionkey, ...), belong to middleware; CloudEvents readers ignore them.
            continue
        try:
            attributes[attribute] = raw.decode("utf-8")
        except (UnicodeDecodeError, AttributeError):
            raise InvalidMessage(f"header {name!r} has no value or is not UTF-8 text") from None
    if "type" not in attributes:
        raise InvalidMessage("not a CloudEvent: header ce_type missing")
    try:
        return Envelope.model_validate(attributes, strict=False)
    except ValidationError as exc:
        raise InvalidMessage(f"invalid envelope: {_summarise(exc)}") from None


def decode(
    catalogue: EventCatalogue, headers: Sequence[tuple[str, bytes]] | None, value: bytes | None
) -> tuple[Envelope, Event]:
    """Read one Kafka record as (envelope, payload) or raise InvalidMessage with the reason."""
    envelope = decode_headers(headers)
    if value is None:
        raise InvalidMessage("message has no value")
    try:
        event = catalogue.decode_json(envelope.type, envelope.schemaversion, value)
    except (UnknownEventType, UpcastFailed) as exc:
        raise InvalidMessage(str(exc)) from None
    except ValidationError as exc:
        if all(error["type"] == "json_invalid" for error in exc.errors()):
            raise InvalidMessage(
                f"{envelope.type} payload is not JSON: {_summarise(exc)}"
            ) from None
        raise InvalidMessage(f"{envelope.type} payload invalid: {_summarise(exc)}") from None
    return envelope, event


def _summarise(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "(root)"
        parts.append(f"{where}: {error['msg']}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")
