"""Every event survives the Kafka binary binding; anything malformed fails with a reason."""

from __future__ import annotations

import json
from datetime import timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosscheck_contracts import CATALOGUE, Event, InvalidMessage, Tenant, decode, encode, kafka
from crosscheck_contracts.events import HazardFound, RectificationVerified
from crosscheck_contracts.kafka import Headers
from crosscheck_contracts.samples import FOUND_AT, all_samples, sample, sample_envelope

SAMPLES = all_samples()
IDS = [event.event_type for event in SAMPLES]


def replaced(headers: Headers, name: str, value: bytes | None) -> Headers:
    """The headers with `name` set to `value`, or removed when `value` is None."""
    kept = [(k, v) for k, v in headers if k != name]
    return kept if value is None else [*kept, (name, value)]


def good_message() -> tuple[bytes, Headers, bytes]:
    event = sample(HazardFound)
    return encode(sample_envelope(event), event)


@pytest.mark.parametrize("event", SAMPLES, ids=IDS)
def test_every_event_round_trips_through_the_binding(event: Event) -> None:
    envelope = sample_envelope(event, aggregate_version=3)
    key, headers, value = encode(envelope, event)

    decoded_envelope, decoded = decode(CATALOGUE, headers, value)

    assert decoded == event
    assert type(decoded) is type(event)
    assert decoded_envelope == envelope
    assert key == event.aggregate_id().encode()
    assert decoded_envelope.subject == decoded_envelope.aggregateid == event.aggregate_id()


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(
    description=st.text(min_size=1, max_size=2000),
    offset=st.integers(min_value=-12 * 60, max_value=14 * 60),
    micros=st.integers(min_value=0, max_value=999_999),
    version=st.integers(min_value=1, max_value=2**31),
    township=st.text(alphabet="0123456789", min_size=9, max_size=9),
)
def test_arbitrary_text_times_and_tenants_round_trip(
    description: str, offset: int, micros: int, version: int, township: str
) -> None:
    found_at = (FOUND_AT + timedelta(microseconds=micros)).astimezone(
        timezone(timedelta(minutes=offset))
    )
    event = sample(HazardFound, description=description, found_at=found_at)
    tenant = Tenant(county=township[:6], township=township)
    envelope = sample_envelope(event, tenant=tenant, aggregate_version=version, time=found_at)

    decoded_envelope, decoded = decode(CATALOGUE, *encode(envelope, event)[1:])

    assert decoded == event
    assert decoded_envelope == envelope
    assert decoded_envelope.tenant == tenant


def test_encode_refuses_an_envelope_made_for_another_event() -> None:
    envelope = sample_envelope(sample(HazardFound))
    with pytest.raises(ValueError, match="envelope says"):
        encode(envelope, sample(RectificationVerified))


def test_unknown_extensions_and_foreign_headers_are_ignored() -> None:
    _, headers, value = good_message()
    headers = [
        *headers,
        ("ce_traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ("x-binary-trace", b"\xff\x00\xfe"),
    ]
    _, event = decode(CATALOGUE, headers, value)
    assert event == sample(HazardFound)


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("bad json", "payload is not JSON"),
        ("not an object", "payload invalid"),
        ("unknown type", "unknown event type 'crosscheck.hazards.Nope'"),
        ("schema-invalid", "severity: Input should be 'general' or 'major'"),
        ("unknown field", "surprise: Extra inputs are not permitted"),
        ("missing ce_type", "header ce_type missing"),
        ("no headers", "header ce_type missing"),
        ("newer schemaversion", "v3 is newer than this reader (v2)"),
        ("not utf-8", "ce_township"),
        ("naive time", "time must carry a timezone"),
        ("bad aggregate version", "aggregateversion"),
        ("no value", "message has no value"),
        ("other content type", "datacontenttype"),
        ("binary id", "id: Input should be a valid UUID"),
        ("other specversion", "specversion"),
    ],
)
def test_malformed_messages_raise_invalid_message_with_a_reason(case: str, fragment: str) -> None:
    _, headers, value = good_message()
    payload = json.loads(value)
    message: tuple[Headers | None, bytes | None] = {
        "bad json": (headers, b"{not json"),
        "not an object": (headers, b"[1, 2]"),
        "unknown type": (replaced(headers, "ce_type", b"crosscheck.hazards.Nope"), value),
        "schema-invalid": (headers, json.dumps(payload | {"severity": "huge"}).encode()),
        "unknown field": (headers, json.dumps(payload | {"surprise": 1}).encode()),
        "missing ce_type": (replaced(headers, "ce_type", None), value),
        "no headers": (None, value),
        "newer schemaversion": (replaced(headers, "ce_schemaversion", b"3"), value),
        "not utf-8": (replaced(headers, "ce_township", b"\xff\xfe"), value),
        "naive time": (replaced(headers, "ce_time", b"2024-04-09T10:30:00"), value),
        "bad aggregate version": (replaced(headers, "ce_aggregateversion", b"zero"), value),
        "no value": (headers, None),
        "other content type": (replaced(headers, "content-type", b"text/plain"), value),
        "binary id": (replaced(headers, "ce_id", b"0123456789abcdef"), value),
        "other specversion": (replaced(headers, "ce_specversion", b"1.1"), value),
    }[case]

    with pytest.raises(InvalidMessage) as caught:
        decode(CATALOGUE, *message)

    assert fragment in caught.value.reason
    assert str(caught.value) == caught.value.reason


HEADER_NAMES = st.sampled_from(
    [
        "ce_id",
        "ce_type",
        "ce_time",
        "ce_source",
        "ce_subject",
        "ce_schemaversion",
        "ce_aggregateversion",
        "ce_correlationid",
        "ce_causationid",
        "ce_township",
        "content-type",
        "ce_unknown",
        "other",
    ]
)


@settings(max_examples=300)
@given(
    changes=st.lists(
        st.tuples(HEADER_NAMES, st.none() | st.binary(max_size=40) | st.text(max_size=40)),
        max_size=4,
    ),
    value=st.none() | st.binary(max_size=200) | st.just(good_message()[2]),
)
def test_decode_fails_only_with_invalid_message(
    changes: list[tuple[str, bytes | str | None]], value: bytes | None
) -> None:
    """Whatever arrives on a topic, the reader either gets an event or a reason."""
    _, headers, _ = good_message()
    for name, raw in changes:
        headers = replaced(headers, name, raw.encode() if isinstance(raw, str) else raw)
    try:
        decode(CATALOGUE, headers, value)
    except InvalidMessage as exc:
        assert exc.reason


ANY_HEADER = HEADER_NAMES | st.sampled_from(["CE_ID", "Ce_Type", "ce_specversion", "ce_dataschema"])
HEADER_VALUES = (
    st.none()
    | st.binary(max_size=40)
    | st.text(max_size=40)
    | st.sampled_from(
        [
            "2024-04-09T10:30:00+08:00",
            "2024-04-09T10:30:00-00:30",
            "0001-01-01T00:00:00+05:00",
            "9999-12-31T23:59:59-05:00",
            "2024-04-09T10:30:00",
            "1.0",
            "application/json",
            "00000000-0000-0000-0000-000000000000",
            "0123456789abcdef",
            "7",
            " 7",
            "0",
        ]
    )
)


@settings(max_examples=500)
@given(
    changes=st.lists(
        st.tuples(ANY_HEADER, HEADER_VALUES),
        max_size=4,
    )
)
def test_the_fast_header_reading_agrees_with_the_envelope_model(
    changes: list[tuple[str, bytes | str | None]],
) -> None:
    """Headers are read straight into an Envelope; what that accepts, and the envelope it
    makes, is exactly what validating the decoded attributes with the model gives."""
    _, headers, _ = good_message()
    for name, raw in changes:
        headers = replaced(headers, name, raw.encode() if isinstance(raw, str) else raw)
    try:
        expected = kafka._decode_headers_slowly(headers)
    except InvalidMessage as exc:
        with pytest.raises(InvalidMessage) as caught:
            kafka.decode_headers(headers)
        assert caught.value.reason == exc.reason
        return
    envelope = kafka.decode_headers(headers)
    assert envelope == expected
    assert envelope.time.utcoffset() == timedelta(0)
    assert envelope.model_fields_set == expected.model_fields_set
