"""The shared samples cover every event, are valid, and join up as one small scenario."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crosscheck_contracts import ALL_EVENTS, Event
from crosscheck_contracts.events import (
    CampaignLaunched,
    HazardFound,
    RectificationAssigned,
    Severity,
)
from crosscheck_contracts.samples import all_samples, sample, sample_envelope


def test_there_is_one_sample_per_event_type_in_catalogue_order() -> None:
    assert [type(event) for event in all_samples()] == list(ALL_EVENTS)


def test_overrides_are_validated() -> None:
    assert sample(HazardFound, severity=Severity.MAJOR).severity is Severity.MAJOR
    with pytest.raises(ValidationError):
        sample(HazardFound, severity="catastrophic")


def test_an_event_without_a_sample_is_a_clear_error() -> None:
    with pytest.raises(LookupError, match="no sample for Event"):
        sample(Event)


def test_sample_envelopes_are_deterministic_and_keyed_by_aggregate() -> None:
    event = sample(HazardFound)
    first, second = sample_envelope(event), sample_envelope(event)
    assert first == second
    assert first.aggregateid == first.subject == event.hazard_id
    assert sample_envelope(event, aggregate_version=2).id != first.id


def test_the_samples_join_up() -> None:
    campaign = sample(CampaignLaunched)
    hazard = sample(HazardFound)
    zone_sites = {site for zone in campaign.zones for site in zone.site_ids}
    assert hazard.campaign_id == campaign.campaign_id
    assert hazard.site_id in zone_sites
    assert sample(RectificationAssigned).hazard_id == hazard.hazard_id
