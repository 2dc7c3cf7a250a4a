"""The schedule with a controlled clock: what is due when, what cancels and moves it."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from crosscheck_contracts.events.hazards import EscalationCause, EscalationLevel, HazardEscalated
from crosscheck_contracts.events.notify import NoticeKind, RecipientRole
from crosscheck_contracts.samples import sample
from crosscheck_notify.adapters.templates import render
from crosscheck_notify.domain.history import fold
from crosscheck_notify.domain.policy import NotifyPolicy
from crosscheck_notify.domain.schedule import PlannedNotice, plan
from crosscheck_platform.clock import ManualClock

from .domain_helpers import DEADLINE, T0, TOWNSHIP, History

POLICY = NotifyPolicy()
K, R = NoticeKind, RecipientRole
DAY = timedelta(days=1)


def schedule(history: History) -> list[PlannedNotice]:
    return plan(fold(history.hazard_id, TOWNSHIP, history.records), POLICY)


def due(notices: list[PlannedNotice], now: datetime) -> set[tuple[str, str]]:
    return {
        (n.kind.value, n.recipient.value if n.recipient else "record")
        for n in notices
        if n.due_at <= now
    }


def test_reminders_overdue_and_escalation_fall_due_at_their_moments() -> None:
    notices = schedule(History().found().assigned())
    clock = ManualClock(T0)
    assert due(notices, clock()) == set()
    clock.set(DEADLINE - 3 * DAY - timedelta(seconds=1))
    assert due(notices, clock()) == set()
    clock.advance(timedelta(seconds=1))
    assert due(notices, clock()) == {
        ("reminder", "responsible_person"),
        ("reminder", "village_committee"),
    }
    clock.set(DEADLINE - DAY)
    assert len([n for n in notices if n.due_at <= clock()]) == 4
    clock.set(DEADLINE - timedelta(seconds=1))
    assert ("overdue", "record") not in due(notices, clock())
    clock.set(DEADLINE)
    assert {
        ("overdue", "record"),
        ("overdue", "responsible_person"),
        ("overdue", "village_committee"),
    } <= due(notices, clock())
    assert ("escalation", "township_leadership") not in due(notices, clock())
    clock.set(DEADLINE + POLICY.escalation_grace)
    assert ("escalation", "township_leadership") in due(notices, clock())
    assert len(notices) == 8
    escalation = next(n for n in notices if n.kind is K.ESCALATION)
    assert escalation.recipient_ref == TOWNSHIP
    assert {n.recipient_ref for n in notices if n.recipient is R.RESPONSIBLE_PERSON} == {"site-1"}


def test_verification_cancels_everything_pending() -> None:
    history = History().found().assigned().reported(T0 + DAY).verified(T0 + 2 * DAY)
    assert schedule(history) == []


def test_extension_moves_the_notices_to_the_new_deadline() -> None:
    history = History().found().assigned()
    before = {n.notice_id for n in schedule(history)}
    later = DEADLINE + 10 * DAY
    history.extended(DEADLINE, later, at=T0 + 2 * DAY)
    after = schedule(history)
    assert before.isdisjoint({n.notice_id for n in after})
    overdue = [n for n in after if n.kind is K.OVERDUE]
    assert {n.due_at for n in overdue} == {later}
    assert {n.deadline for n in overdue} == {later}
    assert due(after, DEADLINE + DAY) == set()  # nothing fires at the old deadline


def test_reminders_before_the_deadline_was_set_are_skipped() -> None:
    assigned_at = DEADLINE - 2 * DAY  # the 3-day reminder would be in the past
    notices = schedule(History().found(assigned_at).assigned(at=assigned_at))
    reminders = [n for n in notices if n.kind is K.REMINDER]
    assert {n.due_at for n in reminders} == {DEADLINE - DAY}


def test_a_reported_fix_not_reverified_reminds_the_group_then_escalates() -> None:
    reported_at = T0 + 2 * DAY
    notices = schedule(History().found().assigned().reported(reported_at))
    assert {(n.kind, n.recipient) for n in notices} == {
        (K.REVERIFICATION_REMINDER, R.INSPECTING_GROUP),
        (K.ESCALATION, R.TOWNSHIP_LEADERSHIP),
    }
    remind = reported_at + POLICY.reverification_after
    assert due(notices, remind - timedelta(seconds=1)) == set()
    assert due(notices, remind) == {("reverification_reminder", "inspecting_group")}
    assert ("escalation", "township_leadership") in due(
        notices, remind + POLICY.reverification_grace
    )
    group = next(n for n in notices if n.recipient is R.INSPECTING_GROUP)
    assert group.recipient_ref == "g-1"


def test_a_rejected_fix_starts_over_against_the_new_deadline() -> None:
    new_deadline = DEADLINE + 14 * DAY
    history = History().found().assigned().reported(T0 + DAY)
    history.rejected(T0 + 3 * DAY, new_deadline)
    notices = schedule(history)
    assert {n.kind for n in notices} == {K.REMINDER, K.OVERDUE, K.ESCALATION}
    assert {n.deadline for n in notices} == {new_deadline}


def test_an_escalation_by_the_hazards_service_tells_its_level_at_once() -> None:
    escalated_at = T0 + timedelta(hours=1)
    history = (
        History()
        .found()
        .add(
            sample(
                HazardEscalated,
                hazard_id="hz-1",
                level=EscalationLevel.TOWNSHIP_LEADERSHIP,
                escalated_at=escalated_at,
                reason="重大隐患挂牌督办",
            ),
            escalated_at,
        )
    )
    notices = schedule(history)
    assert [(n.kind, n.recipient, n.due_at) for n in notices] == [
        (K.ESCALATION, R.TOWNSHIP_LEADERSHIP, escalated_at)
    ]
    assert "重大隐患挂牌督办" in render(notices[0].template, "zh", notices[0].params).body


def test_any_order_and_duplicates_converge_to_the_same_schedule() -> None:
    history = History().found().assigned()
    history.extended(DEADLINE, DEADLINE + 5 * DAY, at=T0 + DAY)
    history.reported(T0 + 2 * DAY)
    history.rejected(T0 + 4 * DAY, DEADLINE + 20 * DAY)
    expected = schedule(history)
    rng = random.Random(7)
    for _ in range(50):
        shuffled = history.records + rng.sample(history.records, 3)
        rng.shuffle(shuffled)
        assert plan(fold("hz-1", TOWNSHIP, shuffled), POLICY) == expected


def test_notice_texts_are_chinese_by_default_and_english_on_request() -> None:
    notice = next(n for n in schedule(History().found().assigned()) if n.kind is K.REMINDER)
    zh = render(notice.template, "zh", notice.params)
    en = render(notice.template, "en", notice.params)
    assert "整改提醒" in zh.subject and "还有 3 天到期" in zh.subject
    assert "2025-06-09 09:00" in zh.body  # the deadline in Shanghai time
    assert en.subject.startswith("[Reminder]") and "3 day(s)" in en.subject


def test_a_major_hazard_handed_up_when_found_gets_its_own_notice() -> None:
    """v3 events say why by a code; the notice says it in the recipient's language."""
    at = T0 + DAY
    history = (
        History()
        .found()
        .add(
            sample(
                HazardEscalated,
                hazard_id="hz-1",
                level=EscalationLevel.TOWNSHIP_LEADERSHIP,
                cause=EscalationCause.MAJOR_HAZARD,
                reason=None,
                escalated_at=at,
            ),
            at,
        )
    )
    [notice] = schedule(history)
    assert notice.template == "notify.escalated_major"
    assert "挂牌督办" in render(notice.template, "zh", notice.params).body
    assert "township leadership" in render(notice.template, "en", notice.params).body
