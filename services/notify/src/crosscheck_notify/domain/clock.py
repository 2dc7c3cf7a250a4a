"""Time in the notify domain: the worker asks the injected clock what "now" is before it
claims due notices, so tests move time forward instead of sleeping."""

from __future__ import annotations

from crosscheck_platform.clock import (
    CHINA_STANDARD_TIME,
    Clock,
    ManualClock,
    require_aware,
    system_clock,
)

LOCAL_ZONE = CHINA_STANDARD_TIME
"""Deadlines are shown, and quiet hours kept, in China Standard Time."""

__all__ = ["LOCAL_ZONE", "Clock", "ManualClock", "require_aware", "system_clock"]
