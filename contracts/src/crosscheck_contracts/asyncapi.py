"""The AsyncAPI 3.0 document of Crosscheck's topics, generated from the code.

One channel per bounded context (its topic), one message per event type with its
payload schema, the CloudEvents headers, and the Kafka key (the aggregate id). Each
message carries the sample from `samples` as its example.
"""

from __future__ import annotations

import json
from importlib import metadata
from typing import Any

from crosscheck_contracts.base import BoundedContext, Event
from crosscheck_contracts.catalogue import EventCatalogue
from crosscheck_contracts.envelope import Envelope
from crosscheck_contracts.jsonrefs import inline_refs
from crosscheck_contracts.kafka import CE_PREFIX, CONTENT_TYPE_HEADER, encode
from crosscheck_contracts.samples import all_samples, sample_envelope
from crosscheck_contracts.schemas import event_name, payload_schema
from crosscheck_contracts.topics import PARTITIONS, Topics, dead_letter_topic

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
HEADERS_SCHEMA = "CloudEventHeaders"
ASYNCAPI_FILE = "asyncapi.json"

_CONTEXT_DOCS = {
    BoundedContext.REGISTRY: "Base inventory (底数清单): townships, villages, places, staff.",
    BoundedContext.ROTATION: "Campaigns, inspection groups and the zone rotation of each round.",
    BoundedContext.HAZARDS: "Inspections and the closed loop of each hazard (整改闭环).",
    BoundedContext.NOTIFY: "Reminders, overdue notices and delivery failures.",
}


DEAD_LETTER_MESSAGE = "DeadLetter"
DEAD_LETTER_HEADERS = {
    "dlq_reason": "Why the consumer could not apply it (e.g. `... v3 is newer than this "
    "reader (v2)`), at most 2000 characters.",
    "dlq_consumer": "The consumer that set it aside (`<schema>.<consumer>`).",
    "dlq_topic": "The topic it was read from.",
    "dlq_partition": "Its partition there.",
    "dlq_offset": "Its offset there.",
}

# Where the topics are served and how a client proves who it is. The production cluster
# (deploy/kubernetes/production/kafka.yaml) listens with TLS and SCRAM users only; the
# local stack's broker is on the loopback address without authentication.
SERVERS: dict[str, Any] = {
    "production": {
        "host": "crosscheck-kafka-bootstrap:9093",
        "protocol": "kafka-secure",
        "description": "A county's cluster: TLS (the cluster CA) and one SCRAM-SHA-512 user "
        "per service or subscriber, with ACLs on the topics and consumer groups it may use.",
        "security": [{"$ref": "#/components/securitySchemes/scram"}],
    },
    "local": {
        "host": "127.0.0.1:9092",
        "protocol": "kafka",
        "description": "The local stack (`./crosscheck up`): loopback only, no authentication.",
    },
}
SECURITY_SCHEMES: dict[str, Any] = {
    "scram": {
        "type": "scramSha512",
        "description": "SASL/SCRAM-SHA-512 over TLS; the user and its password are issued "
        "by the cluster's operator (a Secret named after the user).",
    }
}


def _contracts_version() -> str:
    try:
        return metadata.version("crosscheck-contracts")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def _header_name(attribute: str) -> str:
    return CONTENT_TYPE_HEADER if attribute == "datacontenttype" else CE_PREFIX + attribute


def headers_schema() -> dict[str, Any]:
    """Kafka headers of the binary binding: every attribute as UTF-8 text."""
    envelope = Envelope.model_json_schema(mode="validation")
    properties: dict[str, Any] = {}
    for attribute, spec in envelope["properties"].items():
        branch = next(
            (b for b in spec.get("anyOf", [spec]) if b.get("type") != "null"),
            spec,
        )
        header: dict[str, Any] = {"type": "string"}
        if branch.get("type") == "integer":
            # Header values are text: integers travel as their decimal digits.
            header["pattern"] = "^[1-9][0-9]*$"
        for keyword in ("format", "minLength", "const"):
            if keyword in branch:
                header[keyword] = branch[keyword]
        if "description" in spec:
            header["description"] = spec["description"]
        properties[_header_name(attribute)] = header
    # encode() always writes the two defaulted attributes, so readers may rely on them.
    required = [*envelope["required"], "specversion", "datacontenttype"]
    return {
        "type": "object",
        "description": "CloudEvents 1.0 Kafka binary binding headers with Crosscheck extensions.",
        "properties": properties,
        "required": sorted(_header_name(a) for a in required),
    }


def _message(model: type[Event], example: Event | None) -> dict[str, Any]:
    name = event_name(model)
    doc = (model.__doc__ or name).strip()
    message: dict[str, Any] = {
        "name": model.event_type,
        "title": name,
        "summary": doc.splitlines()[0],
        "contentType": "application/json",
        "headers": {
            "allOf": [
                {"$ref": f"#/components/schemas/{HEADERS_SCHEMA}"},
                {
                    "type": "object",
                    "properties": {
                        "ce_type": {"const": model.event_type},
                        "ce_source": {"const": f"/crosscheck/{model.context.value}"},
                        "ce_schemaversion": {"const": str(model.schema_version)},
                        "ce_dataschema": {"const": model.schema_id()},
                    },
                },
            ]
        },
        "payload": {"$ref": f"#/components/schemas/{name}.v{model.schema_version}"},
        "correlationId": {"location": "$message.header#/ce_correlationid"},
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "description": (
                        f"Aggregate id: the payload's {model.aggregate_field}"
                        if model.aggregate_field
                        else "Aggregate id"
                    ),
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }
    if example is not None:
        envelope = sample_envelope(example)
        _, headers, value = encode(envelope, example)
        message["examples"] = [
            {
                "name": "sample",
                "headers": {name: raw.decode() for name, raw in headers},
                "payload": json.loads(value),
            }
        ]
    return message


def build(catalogue: EventCatalogue, topics: Topics | None = None) -> dict[str, Any]:
    """The AsyncAPI document for `catalogue` on `topics` (default: no namespace)."""
    topics = topics or Topics()
    examples = {type(event): event for event in all_samples()}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {HEADERS_SCHEMA: headers_schema()}
    for context in BoundedContext:
        models = catalogue.of_context(context)
        if not models:
            continue
        channel = context.value
        address = topics.of(context)
        channel_messages: dict[str, Any] = {}
        for model in models:
            name = event_name(model)
            if name in messages:
                raise ValueError(f"two event types share the name {name}")
            payload = inline_refs(payload_schema(model))
            payload.pop("$schema", None)  # embedded: the document's schema format applies
            schemas[f"{name}.v{model.schema_version}"] = payload
            messages[name] = _message(model, examples.get(model))
            channel_messages[name] = {"$ref": f"#/components/messages/{name}"}
        channels[channel] = {
            "address": address,
            "title": address,
            "description": _CONTEXT_DOCS[context],
            "messages": channel_messages,
            "bindings": {
                "kafka": {
                    "topic": address,
                    "partitions": PARTITIONS,
                    "bindingVersion": KAFKA_BINDING_VERSION,
                }
            },
        }
        dead = dead_letter_topic(address)
        channels[f"{channel}_dlq"] = {
            "address": dead,
            "title": dead,
            "description": (
                f"Messages of {address} a consumer could not apply, unchanged (same key, "
                "headers and value) plus the dlq_* headers saying why and where from. "
                "`crosscheck-deadletters list|show|redrive` reads and replays them."
            ),
            "messages": {
                DEAD_LETTER_MESSAGE: {"$ref": f"#/components/messages/{DEAD_LETTER_MESSAGE}"}
            },
            "bindings": {
                "kafka": {
                    "topic": dead,
                    "partitions": PARTITIONS,
                    "bindingVersion": KAFKA_BINDING_VERSION,
                }
            },
        }
        operations[f"dead_letter_{channel}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}_dlq"},
            "summary": f"A consumer of {address} sets aside what it cannot apply.",
            "messages": [{"$ref": f"#/channels/{channel}_dlq/messages/{DEAD_LETTER_MESSAGE}"}],
        }
        operations[f"publish_{channel}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"The {channel} service publishes its events, keyed by aggregate id.",
            "messages": [{"$ref": f"#/channels/{channel}/messages/{n}"} for n in channel_messages],
        }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": "urn:crosscheck:events",
        "info": {
            "title": "Crosscheck events",
            "version": _contracts_version(),
            "description": (
                "Events of Crosscheck, rotating mutual safety inspections (循环互查). "
                "Every message is a CloudEvent in Kafka binary mode: attributes in ce_* "
                "headers, the JSON payload as the value, the aggregate id as the key. "
                "Messages that failed validation go to <topic>.dlq."
            ),
        },
        "defaultContentType": "application/json",
        "servers": SERVERS,
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": schemas,
            "messages": messages | {DEAD_LETTER_MESSAGE: _dead_letter()},
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


def _dead_letter() -> dict[str, Any]:
    """A dead letter is the original message, whatever it was (even unreadable bytes),
    with headers saying why it was set aside."""
    newer = next(e for e in all_samples() if e.event_type.endswith(".RectificationVerified"))
    envelope = sample_envelope(newer)
    _, headers, value = encode(envelope, newer)
    example_headers = {name: raw.decode() for name, raw in headers} | {
        "dlq_reason": f"{newer.event_type} v{newer.schema_version} is newer than this "
        f"reader (v{newer.schema_version - 1})",
        "dlq_consumer": "ledgers.ledgers",
        "dlq_topic": "crosscheck.hazards.v1",
        "dlq_partition": "3",
        "dlq_offset": "1207",
    }
    return {
        "examples": [
            {
                "name": "newer_than_the_reader",
                "summary": "An old reader during a rolling upgrade set aside a newer version.",
                "headers": example_headers,
                "payload": json.loads(value),
            }
        ],
        "name": "DeadLetter",
        "title": "Dead letter",
        "summary": "A message a consumer could not apply, as it was read, with the reason.",
        "headers": {
            "type": "object",
            "description": "The original headers (ce_* when it had them) plus these.",
            "properties": {
                name: {"type": "string", "description": text}
                for name, text in DEAD_LETTER_HEADERS.items()
            },
            "required": list(DEAD_LETTER_HEADERS),
        },
        "payload": {"description": "The original value, unchanged (possibly not JSON)."},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The original key"},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }
