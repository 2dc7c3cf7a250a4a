"""Outside subscribers read our topics with the stock CloudEvents SDK, and vice versa."""

from __future__ import annotations

import json

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary, to_binary
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from crosscheck_contracts import CATALOGUE, Event, decode, encode
from crosscheck_contracts.events import HazardFound
from crosscheck_contracts.samples import all_samples, sample, sample_envelope

SAMPLES = all_samples()


@pytest.mark.parametrize("event", SAMPLES, ids=[e.event_type for e in SAMPLES])
def test_the_sdk_reads_every_event_we_publish(event: Event) -> None:
    envelope = sample_envelope(event, aggregate_version=4)
    key, headers, value = encode(envelope, event)

    read = from_binary(KafkaMessage(headers=dict(headers), key=key, value=value), JSONFormat())

    assert read.get_specversion() == "1.0"
    assert read.get_id() == str(envelope.id)
    assert read.get_type() == event.event_type
    assert read.get_source() == f"/crosscheck/{event.context.value}"
    assert read.get_subject() == event.aggregate_id()
    assert read.get_time() == envelope.time
    assert read.get_datacontenttype() == "application/json"
    assert read.get_dataschema() == event.schema_id()
    assert read.get_extension("township") == envelope.township
    assert read.get_extension("county") == envelope.county
    assert read.get_extension("aggregateid") == event.aggregate_id()
    assert read.get_extension("aggregateversion") == "4"
    assert read.get_extension("correlationid") == str(envelope.correlationid)
    assert read.get_extension("schemaversion") == str(event.schema_version)
    assert read.get_extension("partitionkey") == event.aggregate_id()
    assert read.get_data() == json.loads(event.model_dump_json())


def test_we_read_an_event_written_with_the_sdk() -> None:
    event = sample(HazardFound)
    envelope = sample_envelope(event)
    attributes = {
        "id": str(envelope.id),
        "source": "/crosscheck/hazards",
        "type": event.event_type,
        "time": envelope.time,
        "subject": event.aggregate_id(),
        "datacontenttype": "application/json",
        "township": envelope.township,
        "county": envelope.county,
        "aggregateid": event.aggregate_id(),
        "aggregateversion": "1",
        "correlationid": str(envelope.correlationid),
        "schemaversion": "1",
        "partitionkey": event.aggregate_id(),
    }
    written = to_binary(
        CloudEvent(attributes=attributes, data=json.loads(event.model_dump_json())), JSONFormat()
    )

    read_envelope, read = decode(CATALOGUE, list(written.headers.items()), written.value)

    assert read == event
    assert written.key == event.aggregate_id()
    assert read_envelope.id == envelope.id
    assert read_envelope.time == envelope.time
