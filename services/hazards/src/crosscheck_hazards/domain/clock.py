"""Time in the hazards domain: commands take "now" from an injected clock."""

from __future__ import annotations

from crosscheck_platform.clock import (
    CHINA_STANDARD_TIME,
    Clock,
    ManualClock,
    require_aware,
    system_clock,
)

DISPLAY_ZONE = CHINA_STANDARD_TIME
"""Deadlines are shown, and whole days counted, in China Standard Time."""

__all__ = ["DISPLAY_ZONE", "Clock", "ManualClock", "require_aware", "system_clock"]
