"""Quiet hours and retry back-off."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from crosscheck_notify.domain.policy import NotifyPolicy, QuietHours
from crosscheck_platform.clock import CHINA_STANDARD_TIME


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 6, day, hour, minute, tzinfo=CHINA_STANDARD_TIME)


@pytest.mark.parametrize(
    ("at", "released"),
    [
        (local(2, 21, 59), local(2, 21, 59)),
        (local(2, 22, 0), local(3, 8, 0)),
        (local(2, 23, 30), local(3, 8, 0)),
        (local(3, 3, 0), local(3, 8, 0)),
        (local(3, 7, 59), local(3, 8, 0)),
        (local(3, 8, 0), local(3, 8, 0)),
    ],
)
def test_sms_at_night_waits_for_the_morning(at: datetime, released: datetime) -> None:
    result = QuietHours().release(at)
    assert result == released
    assert result.tzinfo == UTC


def test_quiet_hours_within_one_day_and_none() -> None:
    lunch = QuietHours(start=time(12, 0), end=time(14, 0))
    assert lunch.release(local(2, 13, 0)) == local(2, 14, 0)
    assert lunch.release(local(2, 23, 0)) == local(2, 23, 0)
    assert QuietHours(time(0, 0), time(0, 0)).release(local(2, 3, 0)) == local(2, 3, 0)


def test_retries_back_off_exponentially() -> None:
    policy = NotifyPolicy(retry_base=timedelta(seconds=30))
    assert [policy.retry_delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(seconds=s) for s in (30, 60, 120, 240)
    ]


def test_policy_refuses_reminders_after_the_deadline() -> None:
    with pytest.raises(ValueError, match="before the deadline"):
        NotifyPolicy(reminder_offsets=(timedelta(0),))
