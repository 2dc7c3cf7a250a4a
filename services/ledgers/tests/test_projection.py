"""The projection converges: any order, any redelivery, the same rows (reference model)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from crosscheck_contracts.events import (
    HazardFound,
    RectificationAssigned,
    RectificationVerified,
    RoundReplanned,
    SiteRegistered,
    SiteUpdated,
)
from crosscheck_contracts.samples import all_samples, sample
from crosscheck_ledgers.domain import projection, tables
from crosscheck_ledgers.domain.merge import Key, Patches, RowState
from crosscheck_ledgers.domain.projection import Meta, project
from crosscheck_scenarios.ledgers import Produced, generate

SCENARIO = generate(7, sites=20, staff=16, groups=4, hazards=40, open_hazards=3)


def _state(events: list[Produced]) -> dict[str, dict[object, object]]:
    store = Patches()
    for p in events:
        meta = Meta(
            p.envelope.township, p.envelope.county, p.envelope.aggregateversion, p.envelope.time
        )
        batch = Patches()
        batch.add(project(p.event, meta))
        batch.merge_into(store)
    return {
        name: {key: (row.township, row.groups) for key, row in rows.items()}
        for name, (_, rows) in store.tables.items()
    }


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_any_order_with_redelivery_gives_the_same_rows(seed: int) -> None:
    rng = random.Random(seed)
    shuffled = list(SCENARIO.events) + rng.sample(SCENARIO.events, k=len(SCENARIO.events) // 3)
    rng.shuffle(shuffled)
    assert _state(shuffled) == _state(SCENARIO.events)


def _rows(store: Patches) -> dict[str, dict[Key, RowState]]:
    return {name: dict(rows) for name, (_, rows) in store.tables.items()}


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=2, max_value=4))
def test_shares_merged_apart_then_together_give_the_same_rows(seed: int, parts: int) -> None:
    # What a rebuild's reading processes do: each merges its own share of the history,
    # then the shares meet in the tables (rows of several aggregates merge there).
    rng = random.Random(seed)
    whole, shares = Patches(), [Patches() for _ in range(parts)]
    for p in SCENARIO.events:
        meta = Meta(
            p.envelope.township, p.envelope.county, p.envelope.aggregateversion, p.envelope.time
        )
        writes = project(p.event, meta)
        whole.add(writes)
        rng.choice(shares).add(writes)
    rng.shuffle(shares)
    merged = Patches()
    for share in shares:
        share.merge_into(merged)
    assert _rows(merged) == _rows(whole)
    assert len(merged) == len(whole) > 100


def test_taking_rows_moves_them_out() -> None:
    store = Patches()
    for p in SCENARIO.events:
        meta = Meta(
            p.envelope.township, p.envelope.county, p.envelope.aggregateversion, p.envelope.time
        )
        store.add(project(p.event, meta))
    before = _rows(store)
    sites = list(before[tables.SITES.name])[:3]
    taken = store.take({tables.SITES.name: set(sites), "lg_elsewhere": {("x",)}})
    assert list(taken.tables) == [tables.SITES.name]
    assert dict(taken.tables[tables.SITES.name][1]) == {
        k: before[tables.SITES.name][k] for k in sites
    }
    assert not set(sites) & set(store.tables[tables.SITES.name][1])
    assert len(store) + len(taken) == sum(len(rows) for rows in before.values())


def test_every_write_has_the_shape_of_its_table_and_group() -> None:
    # Writes are not checked one by one when made (a rebuild makes millions): every
    # event type's writes are checked here instead.
    projected = set()
    for event in all_samples():
        writes = project(event, _meta(1))
        for write in writes:
            write.check_shape()
        if writes:
            projected.add(type(event))
    assert projected == set(projection.projected_types())


def _meta(version: int) -> Meta:
    return Meta("532327103", "532327", version, datetime(2024, 4, 9, tzinfo=UTC))


def test_a_verification_before_its_assignment_still_ends_verified() -> None:
    hid = "hazard-0001"
    found, assigned = sample(HazardFound, hazard_id=hid), sample(RectificationAssigned)
    verified = sample(RectificationVerified)
    store = Patches()
    for event, version in ((verified, 5), (assigned, 3), (found, 1)):
        store.add(project(event, _meta(version)))
    row = store.tables[tables.HAZARDS.name][1][(hid,)]
    assert row.groups["state"][1][0] == "verified"
    assert row.groups["deadline"][1] == (assigned.deadline,)
    assert row.groups["found"][0] == 1


def test_an_older_site_update_does_not_overwrite_a_newer_one() -> None:
    registered = sample(SiteRegistered)
    newer = SiteUpdated(site_id=registered.site_id, responsible_name="新负责人")
    older = SiteUpdated(site_id=registered.site_id, responsible_name="旧负责人", name="新名称")
    store = Patches()
    store.add(project(newer, _meta(3)))
    store.add(project(older, _meta(2)))
    store.add(project(registered, _meta(1)))
    groups = store.tables[tables.SITES.name][1][(registered.site_id,)].groups
    assert groups["responsible"] == (3, ("新负责人",))
    assert groups["name"] == (2, ("新名称",))
    assert groups["type"] == (1, (registered.site_type.value,))


def test_the_newest_round_plan_wins_whatever_arrives_last() -> None:
    rounds = [p for p in SCENARIO.events if type(p.event).__name__.startswith("Round")]
    store = Patches()
    for p in reversed(rounds):
        store.add(project(p.event, _meta(p.envelope.aggregateversion)))
    plans = store.tables[tables.ROUNDS.name][1]
    replanned = max(
        p.envelope.aggregateversion for p in rounds if isinstance(p.event, RoundReplanned)
    )
    last_round = max(key[1] for key in plans)
    assert plans[(SCENARIO.campaign_id, last_round)].groups["plan"][0] == replanned


def test_found_at_is_carried_as_given() -> None:
    at = datetime(2024, 4, 9, 2, 30, tzinfo=UTC) + timedelta(minutes=1)
    writes = project(sample(HazardFound, found_at=at), _meta(1))
    found = next(w for w in writes if w.group == "found")
    assert at in found.values
