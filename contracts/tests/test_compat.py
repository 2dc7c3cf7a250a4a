"""The compatibility rule: a published schema is frozen except for its documentation."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crosscheck_contracts import ALL_EVENTS
from crosscheck_contracts.compat import DOC_KEYWORDS, differences, is_compatible
from crosscheck_contracts.events import HazardFound
from crosscheck_contracts.schemas import payload_schema

PUBLISHED = payload_schema(HazardFound)


def changed(**edits: Any) -> dict[str, Any]:
    """A deep copy of the published HazardFound schema with dotted paths set (None deletes)."""
    schema = copy.deepcopy(PUBLISHED)
    for dotted, value in edits.items():
        *parents, last = dotted.split("__")
        node = schema
        for part in parents:
            node = node[part]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return schema


def test_an_identical_schema_is_compatible() -> None:
    assert differences(PUBLISHED, copy.deepcopy(PUBLISHED)) == []


def test_documentation_only_changes_pass() -> None:
    current = changed(
        description="Reworded.",
        title="Renamed title",
        **{"$comment": "added later"},
        properties__found_at__description="When, in UTC.",
        properties__found_at__examples=["2024-04-09T02:30:00Z"],
        properties__hazard_id__title=None,
        **{"$defs__Severity__description": "一般 / 重大"},
    )
    assert is_compatible(PUBLISHED, current)


def test_a_field_named_like_a_doc_keyword_is_still_a_field() -> None:
    # HazardFound has a `description` field: removing it is structural, not documentation.
    current = changed(properties__description=None)
    current["required"] = [r for r in current["required"] if r != "description"]
    assert differences(PUBLISHED, current) == [
        "removed properties.description",
        'changed required: ["campaign_id", "category", "checklist_item_id", "description", '
        '"found_at", "group_id", "hazard_id", "inspection_id", "round_no", "severity", '
        '"site_id", "village_id"] -> ["campaign_id", "category", "checklist_item_id", '
        '"found_at", "group_id", "hazard_id", "inspection_id", "round_no", "severity", '
        '"site_id", "village_id"]',
    ]


def test_an_added_optional_field_fails() -> None:
    current = changed(properties__witness={"anyOf": [{"type": "string"}, {"type": "null"}]})
    assert differences(PUBLISHED, current) == ["added properties.witness"]


def test_a_removed_field_fails() -> None:
    assert "removed properties.evidence_ids" in differences(
        PUBLISHED, changed(properties__evidence_ids=None)
    )


def test_a_type_change_fails() -> None:
    current = changed(properties__round_no={"type": "string", "title": "Round No"})
    assert not is_compatible(PUBLISHED, current)
    assert any(
        d.startswith("changed properties.round_no.type") for d in differences(PUBLISHED, current)
    )


def test_a_tightened_constraint_fails() -> None:
    current = changed(properties__description__maxLength=500)
    assert differences(PUBLISHED, current) == [
        "changed properties.description.maxLength: 2000 -> 500"
    ]


@pytest.mark.parametrize(
    "values", [["general", "major", "critical"], ["general"], ["general", "Major"]]
)
def test_an_enum_change_fails(values: list[str]) -> None:
    current = changed(**{"$defs__Severity__enum": values})
    assert differences(PUBLISHED, current) == [
        f'changed properties.severity.enum: ["general", "major"] -> {sorted(values)}'.replace(
            "'", '"'
        )
    ]


def test_reordering_a_set_valued_keyword_passes() -> None:
    current = changed(**{"$defs__Severity__enum": ["major", "general"]})
    current["required"] = list(reversed(current["required"]))
    assert is_compatible(PUBLISHED, current)


def test_renaming_a_shared_definition_passes() -> None:
    # $defs names come from Python class names; they are not part of the contract.
    current = copy.deepcopy(PUBLISHED)
    current["$defs"]["Gravity"] = current["$defs"].pop("Severity")
    current["properties"]["severity"] = {"$ref": "#/$defs/Gravity"}
    assert is_compatible(PUBLISHED, current)


def test_optional_becoming_required_fails() -> None:
    current = changed(required=[*PUBLISHED["required"], "recurrence_of"])
    assert not is_compatible(PUBLISHED, current)


def test_true_is_not_one() -> None:
    assert not is_compatible({"const": 1}, {"const": True})
    assert is_compatible({"minimum": 1}, {"minimum": 1.0})


def test_a_new_schema_id_is_a_difference() -> None:
    assert differences(PUBLISHED, changed(**{"$id": "urn:crosscheck:schema:x:v2"})) == [
        f'changed $id: "{HazardFound.schema_id()}" -> "urn:crosscheck:schema:x:v2"'
    ]


def _doc_mutations(schema: Any, draw: st.DrawFn) -> Any:
    """Rewrite documentation strings where they stand and sprinkle $comments on schemas."""
    if isinstance(schema, list):
        return [_doc_mutations(item, draw) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in DOC_KEYWORDS and isinstance(value, str):
            if draw(st.booleans()):
                continue  # dropped
            out[key] = draw(st.text(max_size=20))
        else:
            out[key] = _doc_mutations(value, draw)
    if "type" in schema and draw(st.booleans()):
        out["$comment"] = draw(st.text(max_size=20))
    return out


# Each event's schema built once, not once per example: the examples copy what they change.
SCHEMAS = [payload_schema(model) for model in ALL_EVENTS]


@st.composite
def doc_only_variants(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    published = copy.deepcopy(draw(st.sampled_from(SCHEMAS)))
    return published, _doc_mutations(published, draw)


@given(doc_only_variants())
def test_any_documentation_rewrite_of_any_event_passes(
    pair: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    published, current = pair
    assert differences(published, current) == []


@st.composite
def field_removals(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    published = copy.deepcopy(draw(st.sampled_from(SCHEMAS)))
    current = copy.deepcopy(published)
    del current["properties"][draw(st.sampled_from(sorted(published["properties"])))]
    return published, current


@given(field_removals())
def test_removing_any_field_of_any_event_fails(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    assert not is_compatible(*pair)
