"""JSON Schemas generated from the code: one per event version, plus the envelope.

Rendering is deterministic (sorted keys, fixed indent, trailing newline) so that the
committed files change only when the code does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crosscheck_contracts.base import Event
from crosscheck_contracts.envelope import Envelope
from crosscheck_contracts.topics import TOPIC_VERSION

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_SCHEMA_ID = f"urn:crosscheck:schema:envelope:{TOPIC_VERSION}"
ENVELOPE_FILE = "envelope.json"


def event_name(model: type[Event]) -> str:
    """The last part of the stable wire name; never the Python class name."""
    return model.event_type.rsplit(".", 1)[-1]


def payload_schema(model: type[Event]) -> dict[str, Any]:
    """The JSON Schema of an event's payload (the CloudEvents `data`)."""
    # Validation mode: the schema says what our (strict) readers accept.
    schema = model.model_json_schema(mode="validation")
    return {"$schema": DIALECT, "$id": model.schema_id(), **schema}


def envelope_schema() -> dict[str, Any]:
    """The JSON Schema of the envelope's attributes (before mapping to Kafka headers)."""
    schema = Envelope.model_json_schema(mode="validation")
    return {"$schema": DIALECT, "$id": ENVELOPE_SCHEMA_ID, **schema}


def schema_path(schemas_dir: Path, model: type[Event], version: int | None = None) -> Path:
    """Where the schema of `model` at `version` (default: the current one) is published."""
    number = model.schema_version if version is None else version
    return schemas_dir / model.context.value / f"{event_name(model)}.v{number}.json"


def render(document: Any) -> str:
    # Non-ASCII kept as is: docstrings carry the Chinese terms readers search for.
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
