"""Old versions of an event are upcast on read, one version step at a time."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest

from crosscheck_contracts import (
    CATALOGUE,
    BoundedContext,
    Event,
    EventCatalogue,
    InvalidMessage,
    decode,
    encode,
)
from crosscheck_contracts.events import (
    Actor,
    EscalationCause,
    GroupsFormed,
    HazardEscalated,
    RectificationReported,
    RoundReplanned,
    RoundScheduled,
    StaffConflictDeclared,
    hazards,
)
from crosscheck_contracts.samples import sample, sample_envelope

TYPE = "crosscheck.test.PlaceNamed"


class PlaceNamedV1(Event):
    """v1: one free-text name."""

    event_type: ClassVar[str] = TYPE
    context: ClassVar[BoundedContext] = BoundedContext.REGISTRY
    aggregate_field: ClassVar[str] = "site_id"

    site_id: str
    name: str


class PlaceNamedV2(Event):
    """v2: the name was split into the official name and a local alias."""

    event_type: ClassVar[str] = TYPE
    schema_version: ClassVar[int] = 2
    context: ClassVar[BoundedContext] = BoundedContext.REGISTRY
    aggregate_field: ClassVar[str] = "site_id"

    site_id: str
    official_name: str
    alias: str | None = None


def v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    rest = {k: v for k, v in data.items() if k != "name"}
    return rest | {"official_name": data["name"], "alias": None}


def v1_message(payload: bytes | None = None) -> tuple[bytes, list[tuple[str, bytes]], bytes]:
    old = PlaceNamedV1(site_id="site-1", name="维的小卖部")
    key, headers, value = encode(sample_envelope(old), old)
    return key, headers, payload if payload is not None else value


def test_a_v1_message_is_read_as_v2() -> None:
    catalogue = EventCatalogue([PlaceNamedV2], upcasters={(TYPE, 1): v1_to_v2})
    _, headers, value = v1_message()

    envelope, event = decode(catalogue, headers, value)

    assert envelope.schemaversion == 1  # the envelope still says what was written
    assert event == PlaceNamedV2(site_id="site-1", official_name="维的小卖部")


def test_upcasters_chain_over_several_versions() -> None:
    class PlaceNamedV3(PlaceNamedV2):
        schema_version: ClassVar[int] = 3

    def v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
        return data | {"alias": data["alias"] or "-"}

    catalogue = EventCatalogue([PlaceNamedV3])
    catalogue.register_upcaster(TYPE, 1, v1_to_v2)
    catalogue.register_upcaster(TYPE, 2, v2_to_v3)

    _, event = decode(catalogue, *v1_message()[1:])

    assert event == PlaceNamedV3(site_id="site-1", official_name="维的小卖部", alias="-")


def test_a_missing_upcaster_is_a_clear_reason() -> None:
    catalogue = EventCatalogue([PlaceNamedV2])
    with pytest.raises(InvalidMessage, match=r"no upcaster for crosscheck\.test\.PlaceNamed v1"):
        decode(catalogue, *v1_message()[1:])


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b"{nope", "v1 payload is not JSON"),
        (b'"just a string"', "not a JSON object"),
        (b'{"site_id": "site-1"}', "cannot upcast crosscheck.test.PlaceNamed v1: KeyError"),
        (b'{"site_id": 1, "name": "x"}', "site_id: Input should be a valid string"),
    ],
)
def test_malformed_old_data_is_an_invalid_message(payload: bytes, fragment: str) -> None:
    catalogue = EventCatalogue([PlaceNamedV2], upcasters={(TYPE, 1): v1_to_v2})
    with pytest.raises(InvalidMessage) as caught:
        decode(catalogue, *v1_message(payload)[1:])
    assert fragment in caught.value.reason


def test_v1_hazards_events_read_as_v2_with_no_actor() -> None:
    """Every hazards event went to v2 (who did the step); the topics and event stores
    still hold v1 payloads, which read with `actor` null."""
    for model in hazards.EVENTS:
        if model is hazards.NoticeIssued:
            continue  # new in the v2 era: it never had a payload without `actor`
        assert model.schema_version >= 2
        assert CATALOGUE.has_upcaster(model.event_type, 1)

    current = sample(RectificationReported, actor=Actor(name="赵村干", role="village_committee"))
    _, headers, value = encode(sample_envelope(current), current)
    v1_payload = {k: v for k, v in json.loads(value).items() if k != "actor"}
    v1_headers = [
        (name, b"1" if name == "ce_schemaversion" else raw)
        for name, raw in headers
        if name != "ce_dataschema"
    ]

    envelope, old = decode(CATALOGUE, v1_headers, json.dumps(v1_payload).encode())
    assert envelope.schemaversion == 1
    assert isinstance(old, RectificationReported) and old.actor is None
    assert old.model_copy(update={"actor": current.actor}) == current

    _, new = decode(CATALOGUE, headers, value)
    assert new == current


@pytest.mark.parametrize(
    ("model", "dropped"),
    [
        (GroupsFormed, ("roster_version", "drawn")),
        (RoundScheduled, ("roster_version",)),
        (RoundReplanned, ("roster_version",)),
        (StaffConflictDeclared, ("staff_ids",)),
    ],
)
def test_v1_rotation_events_read_as_v2_without_a_roster_version(
    model: type[Event], dropped: tuple[str, ...]
) -> None:
    """The groups and plans went to v2 (the roster they were made from), the declared
    conflicts to v2 (officials too); a v1 payload from the topics or the event store
    reads with those fields null (no official named)."""
    current = sample(model)
    assert model.schema_version == 2 and CATALOGUE.has_upcaster(model.event_type, 1)
    _, headers, value = encode(sample_envelope(current), current)
    v1_payload = {k: v for k, v in json.loads(value).items() if k not in dropped}
    v1_headers = [
        (name, b"1" if name == "ce_schemaversion" else raw)
        for name, raw in headers
        if name != "ce_dataschema"
    ]
    _, old = decode(CATALOGUE, v1_headers, json.dumps(v1_payload).encode())
    assert all(getattr(old, field) in (None, []) for field in dropped)
    assert all(current.model_dump()[field] for field in dropped)
    assert old.model_copy(update={f: getattr(current, f) for f in dropped}) == current


@pytest.mark.parametrize(
    ("reason", "cause", "kept"),
    [
        ("重大隐患,提请乡镇党政领导挂牌督办", "major_hazard", None),
        ("Major hazard: handed to township leadership for supervision.", "major_hazard", None),
        ("场所负责人拒不整改", "decided", "场所负责人拒不整改"),
    ],
)
def test_v2_escalations_read_with_their_cause(reason: str, cause: str, kept: str | None) -> None:
    """v2 put the words of an automatic escalation into the event; v3 records a cause
    (rendered by readers) and keeps only a person's own words."""
    v2 = {
        "hazard_id": "hz-1",
        "level": "township_leadership",
        "reason": reason,
        "escalated_at": "2026-10-09T02:00:00Z",
        "actor": None,
    }
    event = CATALOGUE.decode_json(HazardEscalated.event_type, 2, json.dumps(v2))
    assert isinstance(event, HazardEscalated)
    assert event.cause is EscalationCause(cause) and event.reason == kept
