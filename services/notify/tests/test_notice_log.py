"""The notice log of a hazard: appends only, from the version its stream stands at."""

from __future__ import annotations

import pytest

from crosscheck_contracts.events.hazards import HazardFound
from crosscheck_contracts.events.notify import RectificationOverdue
from crosscheck_contracts.samples import sample
from crosscheck_notify.domain.notice_log import NoticeLog


def test_a_log_appends_after_the_version_its_stream_stands_at() -> None:
    log = NoticeLog.at("hz-1", 3)
    overdue = sample(RectificationOverdue)
    log.record(overdue)
    log.record(overdue)
    assert log.collect_pending() == (3, [overdue, overdue])
    assert log.version == 5


def test_a_log_holds_notice_events_only() -> None:
    with pytest.raises(TypeError, match="HazardFound"):
        NoticeLog.rehydrate("hz-1", [sample(HazardFound)])
