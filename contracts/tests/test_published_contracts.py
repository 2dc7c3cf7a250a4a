"""The committed schemas and AsyncAPI document are what the code says.

This is the test that fails when someone changes a published event incompatibly: give
the event a new schema_version (and an upcaster) instead, then run
`crosscheck-contracts export` and commit the new files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crosscheck_contracts import CATALOGUE, Event, Topics, decode
from crosscheck_contracts.asyncapi import ASYNCAPI_FILE, build
from crosscheck_contracts.jsonrefs import inline_refs
from crosscheck_contracts.publish import check, check_generated
from crosscheck_contracts.samples import sample_envelope
from crosscheck_contracts.schemas import event_name, payload_schema, render
from crosscheck_contracts.topics import dead_letter_topic

CONTRACTS = Path(__file__).resolve().parents[1]
DOCUMENT = build(CATALOGUE)


def test_committed_schemas_match_the_code() -> None:
    report = check(CONTRACTS / "schemas", CATALOGUE)
    assert report.ok, "\n".join(report.problems)


def test_committed_asyncapi_matches_the_code() -> None:
    report = check_generated(CONTRACTS / ASYNCAPI_FILE, render(DOCUMENT))
    assert report.ok, "\n".join(report.problems)


def test_one_channel_per_topic_and_per_dead_letter_topic() -> None:
    addresses = {channel["address"] for channel in DOCUMENT["channels"].values()}
    assert addresses == set(Topics().all) | {dead_letter_topic(t) for t in Topics().all}
    for channel in DOCUMENT["channels"].values():
        assert channel["bindings"]["kafka"]["topic"] == channel["address"]
    dead = DOCUMENT["components"]["messages"]["DeadLetter"]
    assert set(dead["headers"]["required"]) == {
        "dlq_reason",
        "dlq_consumer",
        "dlq_topic",
        "dlq_partition",
        "dlq_offset",
    }


def test_servers_say_how_clients_authenticate() -> None:
    servers = DOCUMENT["servers"]
    production = servers["production"]
    assert production["protocol"] == "kafka-secure"
    (scheme_ref,) = production["security"]
    scheme = scheme_ref["$ref"].removeprefix("#/components/securitySchemes/")
    assert DOCUMENT["components"]["securitySchemes"][scheme]["type"] == "scramSha512"
    assert servers["local"]["host"] == "127.0.0.1:9092"


@pytest.mark.parametrize("model", list(CATALOGUE), ids=[m.event_type for m in CATALOGUE])
def test_each_event_is_a_message_with_its_schema_headers_and_key(model: type[Event]) -> None:
    channel = DOCUMENT["channels"][model.context.value]
    name = event_name(model)
    assert channel["messages"][name] == {"$ref": f"#/components/messages/{name}"}
    message = DOCUMENT["components"]["messages"][name]
    assert message["name"] == model.event_type
    payload_ref = message["payload"]["$ref"].removeprefix("#/components/schemas/")
    expected = inline_refs(payload_schema(model))
    del expected["$schema"]
    assert DOCUMENT["components"]["schemas"][payload_ref] == expected
    assert message["headers"]["allOf"][1]["properties"]["ce_type"] == {"const": model.event_type}
    assert model.aggregate_field in message["bindings"]["kafka"]["key"]["description"]


def test_message_examples_are_readable_messages() -> None:
    for model in CATALOGUE:
        message = DOCUMENT["components"]["messages"][event_name(model)]
        (example,) = message["examples"]
        headers = [(k, v.encode()) for k, v in example["headers"].items()]
        envelope, event = decode(CATALOGUE, headers, json.dumps(example["payload"]).encode())
        assert type(event) is model
        assert envelope == sample_envelope(event)


def test_every_header_is_declared() -> None:
    declared = set(DOCUMENT["components"]["schemas"]["CloudEventHeaders"]["properties"])
    for message in DOCUMENT["components"]["messages"].values():
        own = set(message["headers"].get("properties", {}))
        assert set(message["examples"][0]["headers"]) <= declared | own


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


def test_every_reference_in_the_document_resolves() -> None:
    for ref in _refs(DOCUMENT):
        node: Any = DOCUMENT
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert isinstance(node, dict), ref
