"""Every event model is strict, documented, named for the wire, and keyed by its aggregate."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from crosscheck_contracts import ALL_EVENTS, CATALOGUE, BoundedContext, Event
from crosscheck_contracts.events import (
    CampaignLaunched,
    Group,
    GroupsFormed,
    HazardFound,
    InspectionCompleted,
    RectificationOverdue,
    RectificationRejected,
    RoundScheduled,
    SiteRegistered,
    SiteUpdated,
    StaffConflictDeclared,
    Zone,
)
from crosscheck_contracts.samples import FOUND_AT, all_samples, sample

EVENT_IDS = [model.event_type for model in ALL_EVENTS]


def as_json(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(event.model_dump_json())
    return data


def test_the_catalogue_holds_every_event_of_the_architecture_brief() -> None:
    expected = {
        BoundedContext.REGISTRY: {
            "TownshipRegistered",
            "VillageRegistered",
            "SiteRegistered",
            "SiteUpdated",
            "SiteClosed",
            "StaffEnrolled",
            "StaffUpdated",
            "StaffConflictDeclared",
            "StaffDeactivated",
        },
        BoundedContext.ROTATION: {
            "CampaignLaunched",
            "GroupsFormed",
            "RoundScheduled",
            "RoundReplanned",
            "RoundClosed",
            "CampaignCancelled",
        },
        BoundedContext.HAZARDS: {
            "InspectionCompleted",
            "HazardFound",
            "HazardNotified",
            "RectificationAssigned",
            "RectificationReported",
            "RectificationVerified",
            "RectificationRejected",
            "DeadlineExtended",
            "HazardEscalated",
            "NoticeIssued",
        },
        BoundedContext.NOTIFY: {"ReminderSent", "RectificationOverdue", "NotificationFailed"},
    }
    for context, names in expected.items():
        assert {m.__name__ for m in CATALOGUE.of_context(context)} == names


@pytest.mark.parametrize("model", ALL_EVENTS, ids=EVENT_IDS)
def test_each_event_has_a_stable_wire_name_a_docstring_and_an_aggregate(
    model: type[Event],
) -> None:
    # The wire name is written out in the class, never derived from the module path.
    assert "event_type" in vars(model)
    assert model.event_type == f"crosscheck.{model.context.value}.{model.__name__}"
    assert model.__doc__ and model.__doc__.strip()
    assert model.aggregate_field is not None
    assert model.model_fields[model.aggregate_field].is_required()
    assert model.schema_version >= 1


@pytest.mark.parametrize("event", all_samples(), ids=EVENT_IDS)
def test_an_unknown_field_is_rejected(event: Event) -> None:
    data = as_json(event) | {"surprise": 1}
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        type(event).model_validate_json(json.dumps(data))


@pytest.mark.parametrize("event", all_samples(), ids=EVENT_IDS)
def test_a_missing_aggregate_id_is_rejected(event: Event) -> None:
    assert event.aggregate_field is not None
    data = as_json(event)
    del data[event.aggregate_field]
    with pytest.raises(ValidationError, match="Field required"):
        type(event).model_validate_json(json.dumps(data))


def test_numbers_are_not_coerced_from_strings() -> None:
    data = as_json(sample(InspectionCompleted)) | {"items_checked": "12"}
    with pytest.raises(ValidationError, match="Input should be a valid integer"):
        InspectionCompleted.model_validate_json(json.dumps(data))
    with pytest.raises(ValidationError):
        sample(InspectionCompleted, round_no="1")


def test_booleans_are_not_coerced() -> None:
    rules = {"no_repeat_within_rounds": None, "balance_workload": 1, "reshuffle_members": False}
    data = as_json(sample(CampaignLaunched)) | {"rules": rules}
    with pytest.raises(ValidationError, match="valid boolean"):
        CampaignLaunched.model_validate_json(json.dumps(data))


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        sample(HazardFound, found_at=datetime(2024, 4, 9, 10, 30))
    data = as_json(sample(HazardFound)) | {"found_at": "2024-04-09T10:30:00"}
    with pytest.raises(ValidationError, match="timezone"):
        HazardFound.model_validate_json(json.dumps(data))


def test_a_time_that_overflows_utc_is_rejected_not_crashed() -> None:
    data = as_json(sample(HazardFound)) | {"found_at": "0001-01-01T00:00:00+05:00"}
    with pytest.raises(ValidationError, match="out of range"):
        HazardFound.model_validate_json(json.dumps(data))


@given(offset_minutes=st.integers(min_value=-12 * 60, max_value=14 * 60))
def test_aware_times_are_kept_as_the_same_instant_in_utc(offset_minutes: int) -> None:
    zone = timezone(timedelta(minutes=offset_minutes))
    local = FOUND_AT.astimezone(zone)
    event = sample(HazardFound, found_at=local)
    assert event.found_at == FOUND_AT
    assert event.found_at.tzinfo is UTC
    assert as_json(event)["found_at"] == "2024-04-09T02:30:00Z"


def test_enums_are_closed() -> None:
    data = as_json(sample(HazardFound)) | {"severity": "catastrophic"}
    with pytest.raises(ValidationError, match="'general' or 'major'"):
        HazardFound.model_validate_json(json.dumps(data))


@pytest.mark.parametrize("bad_id", ["", " site", "site 1", "站点", "a" * 65, "x\n"])
def test_ids_are_opaque_tokens(bad_id: str) -> None:
    with pytest.raises(ValidationError):
        sample(SiteRegistered, site_id=bad_id)


@given(digits=st.text(alphabet="0123456789", min_size=7, max_size=15))
def test_a_full_phone_number_never_fits_the_masked_field(digits: str) -> None:
    with pytest.raises(ValidationError):
        sample(SiteRegistered, responsible_phone_masked=digits)


@pytest.mark.parametrize("masked", ["138****5678", "0878-****1234", "****"])
def test_masked_phones_are_accepted(masked: str) -> None:
    assert sample(SiteRegistered, responsible_phone_masked=masked).responsible_phone_masked


def test_a_site_update_must_change_something() -> None:
    with pytest.raises(ValidationError, match="at least one field"):
        SiteUpdated(site_id="site-1")


def test_a_conflict_names_at_least_one_village_site_or_official() -> None:
    with pytest.raises(ValidationError, match="at least one village, site or official"):
        StaffConflictDeclared(staff_id="staff-1", reason="relatives")


def test_id_lists_hold_distinct_ids() -> None:
    with pytest.raises(ValidationError, match="duplicate"):
        sample(StaffConflictDeclared, village_ids=["v-1", "v-1"])


def test_a_group_leader_is_one_of_its_members() -> None:
    with pytest.raises(ValidationError, match="leader_id"):
        Group(group_id="g", name="G", leader_id="s-1", member_ids=["s-2"], eligible_zone_ids=[])


def test_nobody_is_in_two_groups() -> None:
    groups = [
        Group(group_id=f"g{n}", name="G", leader_id="s-1", member_ids=["s-1"], eligible_zone_ids=[])
        for n in (1, 2)
    ]
    with pytest.raises(ValidationError, match="staff member 's-1'"):
        sample(GroupsFormed, groups=groups)


def test_a_campaign_ends_after_it_starts_and_zones_do_not_overlap() -> None:
    campaign = sample(CampaignLaunched)
    with pytest.raises(ValidationError, match="ends_on"):
        sample(CampaignLaunched, ends_on=campaign.starts_on - timedelta(days=1))
    zone = campaign.zones[0]
    twin = Zone(zone_id="zone-x", name="x", village_id=zone.village_id, site_ids=zone.site_ids)
    with pytest.raises(ValidationError, match="site"):
        sample(CampaignLaunched, zones=[zone, twin])


def test_a_round_visits_each_site_once() -> None:
    plan = sample(RoundScheduled)
    doubled = [*plan.assignments, plan.assignments[0]]
    with pytest.raises(ValidationError, match="more than once"):
        sample(RoundScheduled, assignments=doubled)


def test_time_ordering_invariants() -> None:
    with pytest.raises(ValidationError, match="items_failed"):
        sample(InspectionCompleted, items_checked=1, items_failed=2)
    rejected = sample(RectificationRejected)
    with pytest.raises(ValidationError, match="new_deadline"):
        sample(RectificationRejected, new_deadline=rejected.rejected_at)
    overdue = sample(RectificationOverdue)
    with pytest.raises(ValidationError, match="before the deadline"):
        sample(RectificationOverdue, overdue_at=overdue.deadline - timedelta(seconds=1))


def test_events_are_immutable() -> None:
    event = sample(HazardFound)
    with pytest.raises(ValidationError, match="frozen"):
        event.description = "changed"  # type: ignore[misc]
