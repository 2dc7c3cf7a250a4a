"""The hazard's state machine: every transition allowed by the table works and leads
where the table says; every other one is refused naming the state and what is allowed;
and random command sequences never leave the table."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crosscheck_contracts.events.hazards import (
    Actor,
    EscalationCause,
    EscalationLevel,
    HazardEscalated,
    HazardFound,
    RectificationVerified,
    Severity,
)
from crosscheck_hazards.domain.errors import HazardStateConflict, VerifierNotAllowed
from crosscheck_hazards.domain.hazard import Hazard, Verifier
from crosscheck_hazards.domain.states import ALLOWED, NEXT_STATE, HazardCommand, HazardState
from crosscheck_platform.clock import CHINA_STANDARD_TIME, ManualClock
from crosscheck_platform.errors import DomainError, RuleViolation

from .domain_helpers import (
    POLICY,
    RESPONSIBLE_STAFF,
    START,
    finding,
    hazard_in,
    hazard_with_history,
    perform,
    photos_at,
)

TRANSITIONS = [(s, c) for s in HazardState for c in HazardCommand]


@pytest.mark.parametrize(("state", "command"), TRANSITIONS, ids=lambda v: str(v))
def test_every_state_and_command(state: HazardState, command: HazardCommand) -> None:
    clock = ManualClock(START)
    hazard, history = hazard_with_history(state, clock)
    assert hazard.state is state
    if command in ALLOWED[state]:
        perform(hazard, command, clock)
        _, events = hazard.collect_pending()
        assert len(events) == 1
        assert hazard.state is (NEXT_STATE[command] or state)
        replayed = Hazard.rehydrate(hazard.id, history + events)
        assert replayed.state is hazard.state
    else:
        with pytest.raises(HazardStateConflict) as refused:
            perform(hazard, command, clock)
        assert refused.value.code == "state_conflict"
        assert refused.value.params["state"] == state.value
        assert refused.value.params["command"] == command.value
        assert refused.value.params["allowed_commands"] == [c.value for c in ALLOWED[state]]
        assert hazard.collect_pending() == (hazard.version, [])
        assert hazard.state is state


def test_closed_allows_nothing() -> None:
    assert ALLOWED[HazardState.VERIFIED] == ()


def test_a_major_hazard_is_escalated_to_township_leadership_when_found() -> None:
    hazard = Hazard.record(finding(Severity.MAJOR))
    _, events = hazard.collect_pending()
    assert [type(e) for e in events] == [HazardFound, HazardEscalated]
    escalated = events[1]
    assert isinstance(escalated, HazardEscalated)
    assert escalated.level is EscalationLevel.TOWNSHIP_LEADERSHIP
    # A code, not words: readers render it in their language (no translation here).
    assert escalated.cause is EscalationCause.MAJOR_HAZARD and escalated.reason is None
    general = Hazard.record(finding(Severity.GENERAL))
    assert [type(e) for e in general.collect_pending()[1]] == [HazardFound]


def test_the_responsible_person_can_never_verify_or_reject() -> None:
    clock = ManualClock(START)
    hazard = hazard_in(HazardState.REPORTED, clock)
    with pytest.raises(VerifierNotAllowed) as refused:
        hazard.verify(verifier=Verifier(RESPONSIBLE_STAFF, in_eligible_group=True), at=clock())
    assert refused.value.key == "hazard.verifier_is_responsible"
    with pytest.raises(VerifierNotAllowed):
        hazard.reject(by_staff_id=RESPONSIBLE_STAFF, reason="x", at=clock(), policy=POLICY)
    assert hazard.state is HazardState.REPORTED
    hazard.verify(verifier=Verifier("someone-else", in_eligible_group=True), at=clock())
    assert hazard.closed_at == clock()
    assert hazard.allowed() == ()


def test_default_deadline_by_severity_ends_the_local_day() -> None:
    for severity, days in ((Severity.GENERAL, 7), (Severity.MAJOR, 30)):
        hazard = Hazard.record(finding(severity))
        hazard.notify(by_staff_id="s", told_person_name="李四", signed=False, at=START)
        hazard.assign(
            responsible_person_name="李四",
            supervising_village_id="v-1",
            at=START,
            policy=POLICY,
        )
        assert hazard.deadline is not None
        local = hazard.deadline.astimezone(CHINA_STANDARD_TIME)
        assert local.date().isoformat() == (START + timedelta(days=days)).date().isoformat()
        assert (local.hour, local.minute, local.second) == (23, 59, 59)


def test_deadlines_must_be_ahead_and_extensions_later() -> None:
    clock = ManualClock(START)
    hazard = hazard_in(HazardState.NOTIFIED, clock)
    with pytest.raises(RuleViolation) as past:
        hazard.assign(
            responsible_person_name="李四",
            supervising_village_id="v-1",
            at=clock(),
            policy=POLICY,
            deadline=clock() - timedelta(minutes=1),
        )
    assert past.value.key == "hazard.deadline_not_ahead"
    perform(hazard, HazardCommand.ASSIGN, clock)
    assert hazard.deadline is not None
    with pytest.raises(RuleViolation) as earlier:
        hazard.extend(new_deadline=hazard.deadline, reason="r", approved_by="a", at=clock())
    assert earlier.value.key == "hazard.extension_not_later"


def test_escalation_only_goes_up() -> None:
    hazard = Hazard.record(finding(Severity.MAJOR))  # at township leadership already
    with pytest.raises(RuleViolation):
        hazard.escalate(level=EscalationLevel.VILLAGE_COMMITTEE, reason="r", at=START)
    hazard.escalate(level=EscalationLevel.COUNTY, reason="r", at=START)
    assert hazard.escalation is EscalationLevel.COUNTY


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list(HazardCommand)), max_size=25))
def test_random_command_sequences_follow_the_table(commands: list[HazardCommand]) -> None:
    clock = ManualClock(START)
    hazard = Hazard.record(finding())
    model = HazardState.FOUND
    escalated_to_county = False
    for command in commands:
        fits = command in ALLOWED[model]
        if command is HazardCommand.ESCALATE and escalated_to_county:
            fits = False  # the level can only go up, and county is the top
        try:
            perform(hazard, command, clock)
        except HazardStateConflict:
            assert command not in ALLOWED[model]
            continue
        except RuleViolation:
            assert command is HazardCommand.ESCALATE and escalated_to_county
            continue
        assert fits
        model = NEXT_STATE[command] or model
        escalated_to_county = escalated_to_county or command is HazardCommand.ESCALATE
        assert hazard.state is model
    # State is a function of the events alone.
    _, events = hazard.collect_pending()
    assert Hazard.rehydrate(hazard.id, events).state is model
    assert hazard.version == len(events)


def test_the_verifier_rules() -> None:
    clock = ManualClock(START)
    hazard = hazard_in(HazardState.RECTIFYING, clock)
    reporter = Actor(staff_id="s-reporter", name="张明", role="inspector")
    hazard.report(note="已整改", at=clock(), by=reporter)
    later = clock() + timedelta(minutes=5)

    def refused(verifier: Verifier) -> str:
        with pytest.raises(DomainError) as caught:
            hazard.verify(verifier=verifier, at=later)
        return caught.value.key

    assert refused(Verifier("s-reporter", in_eligible_group=True)) == "hazard.verifier_is_reporter"
    assert refused(Verifier("s-x", in_eligible_group=False)) == "hazard.verifier_not_in_group"
    assert refused(Verifier("s-x", True, override_reason="x")) == "hazard.override_not_admin"
    admin = Verifier("s-admin", in_eligible_group=False, is_admin=True)
    assert refused(admin) == "hazard.override_reason_required"
    assert hazard.state is HazardState.REPORTED

    hazard.verify(verifier=replace(admin, override_reason="检查组成员均已调离"), at=later)
    _, events = hazard.collect_pending()
    verified = events[-1]
    assert isinstance(verified, RectificationVerified)
    assert verified.override_reason == "检查组成员均已调离"


def test_a_major_hazard_needs_a_photo_taken_after_the_report() -> None:
    clock = ManualClock(START)
    hazard = Hazard.record(finding(Severity.MAJOR))
    hazard.notify(by_staff_id="s", told_person_name="李四", signed=True, at=clock())
    hazard.assign(
        responsible_person_name="李四", supervising_village_id="v-1", at=clock(), policy=POLICY
    )
    reported_at = clock() + timedelta(hours=1)
    hazard.report(note="已整改", at=reported_at)
    for photos in ((), (reported_at - timedelta(minutes=1),), (reported_at,)):
        with pytest.raises(RuleViolation) as refused:
            hazard.verify(
                verifier=Verifier("s-1", True, presence=photos_at(*photos)), at=reported_at
            )
        assert refused.value.key == "hazard.major_needs_photo"
    after = reported_at + timedelta(minutes=1)
    hazard.verify(verifier=Verifier("s-1", True, presence=photos_at(after)), at=after)
    assert hazard.state is HazardState.VERIFIED
