"""Default rectification deadlines by severity (限期整改), configurable per deployment.

A deadline falls at the end of a local day (Asia/Shanghai): "fix it within 7 days"
means by 23:59:59 of the seventh day, which is how a notice reads it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from crosscheck_contracts.events.hazards import Severity
from crosscheck_platform.clock import CHINA_STANDARD_TIME, require_aware

_END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class DeadlinePolicy:
    general_days: int = 7
    """一般隐患: a week is the usual time limit for a general hazard."""
    major_days: int = 30
    """重大隐患: longer, because a major fix needs a plan, money and often a contractor."""

    def __post_init__(self) -> None:
        if self.general_days < 1 or self.major_days < 1:
            raise ValueError("default deadlines are at least one day")

    def days_for(self, severity: Severity) -> int:
        return self.major_days if severity is Severity.MAJOR else self.general_days

    def default_deadline(self, severity: Severity, now: datetime) -> datetime:
        local = require_aware(now, "now").astimezone(CHINA_STANDARD_TIME)
        day = local.date() + timedelta(days=self.days_for(severity))
        return datetime.combine(day, _END_OF_DAY, tzinfo=CHINA_STANDARD_TIME).astimezone(UTC)
