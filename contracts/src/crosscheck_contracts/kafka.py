"""CloudEvents Kafka binary binding for Crosscheck messages.

Written against the binding spec rather than an SDK so that the contracts package has
one dependency (pydantic); the tests prove the official `cloudevents` SDK reads it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from pydantic_core import CoreSchema, SchemaValidator, core_schema

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


def _from_header(schema: Any) -> Any:
    """A field's schema, taking the header's bytes where the Envelope takes text."""
    kind = schema["type"]
    if kind in ("default", "nullable"):
        return {**schema, "schema": _from_header(schema["schema"])}
    if kind in ("literal", "uuid"):
        # A literal would compare the raw bytes, and 16 bytes would pass as a binary
        # UUID: these read the text first.
        return core_schema.chain_schema([core_schema.str_schema(), schema])
    if kind == "function-after" and schema["schema"]["type"] == "datetime":
        # The check for an offset without the call into Python per message; a time
        # that is not UTC goes the slow way, which normalises it (see decode_headers).
        return {**schema["schema"], "tz_constraint": "aware"}
    return schema


def _headers_schema() -> CoreSchema:
    """The Envelope's own validation, reading Kafka headers as they arrive.

    Field names become their header names and values are taken as UTF-8 bytes (lax str
    parsing decodes them); the result is an Envelope. This saves the dict of decoded
    strings and the Python step per header, about half the cost of reading a message's
    envelope. Everything else (bounds, UUIDs, the aware time) is the Envelope's schema.
    """
    schema: Any = copy.deepcopy(Envelope.__pydantic_core_schema__)
    if schema["type"] != "model" or schema["schema"]["type"] != "model-fields":
        raise TypeError("the Envelope's schema is no longer a plain model; revisit this")
    for name, field in schema["schema"]["fields"].items():
        field["validation_alias"] = [[h] for h, a in _HEADER_ATTRIBUTES.items() if a == name]
        field["schema"] = _from_header(field["schema"])
    headers_schema: CoreSchema = schema
    return headers_schema


_EXACT_NAMES = _HEADER_ATTRIBUTES.keys()
# `_use_prebuilt=False`: pydantic would otherwise reuse the Envelope class's own
# validator for this schema, header names and all ignored.
_validate_headers = SchemaValidator(_headers_schema(), _use_prebuilt=False).validate_python


def decode_headers(headers: Sequence[tuple[str, bytes]] | None) -> Envelope:
    # This runs for every message a consumer reads. Messages with only the exact header
    # names are read straight into an Envelope; others (foreign headers, names in other
    # cases), and anything the fast reading refuses, are read again header by header,
    # which also names the header at fault.
    try:
        named = dict(headers or ())
        if not named.keys() <= _EXACT_NAMES:
            return _decode_headers_slowly(headers)
        envelope: Envelope = _validate_headers(named)
    except (ValidationError, TypeError, ValueError):
        return _decode_headers_slowly(headers)
    if envelope.time.utcoffset():
        return _decode_headers_slowly(headers)  # normalised to UTC, as the model does
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
