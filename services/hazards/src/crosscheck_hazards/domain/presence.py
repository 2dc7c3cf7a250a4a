"""Proof of presence (到场核验): whether a step's evidence was taken at the place, and
not before what it proves. Evidence that does not show presence is flagged, not refused;
a township may require presence for the verification of major hazards."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from crosscheck_contracts.events.hazards import EvidencePresence, Presence, PresenceFlag
from crosscheck_contracts.events.registry import GeoPoint
from crosscheck_platform.clock import CHINA_STANDARD_TIME

DEFAULT_RADIUS_M = 200
_EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


@dataclass(frozen=True)
class PresenceRule:
    """A township's rule: how far from the place evidence may be taken, and whether the
    verification of a major hazard is refused when its evidence is flagged."""

    radius_m: int = DEFAULT_RADIUS_M
    required_for_major: bool = False


@dataclass(frozen=True)
class Capture:
    """What is known of where and when one piece of evidence was taken."""

    evidence_id: str
    taken_at: datetime
    time_source: str  # exif, device or upload
    location: GeoPoint | None = None
    is_photo: bool = True


@dataclass(frozen=True)
class PresenceCheck:
    """Everything the assessment of one step needs."""

    captures: tuple[Capture, ...] = ()
    place: GeoPoint | None = None
    rule: PresenceRule = PresenceRule()


def distance_m(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance (haversine): ample at the scale of a village."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def start_of_day(at: datetime) -> datetime:
    """Midnight of `at`'s local day: an inspection's evidence is taken that day."""
    local = at.astimezone(CHINA_STANDARD_TIME)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def assess(check: PresenceCheck, *, not_before: datetime) -> Presence:
    """The presence of a step whose evidence must be taken within the township's radius
    of the place and not before `not_before`."""
    rule, place = check.rule, check.place
    evidence = []
    located = False
    for capture in check.captures:
        flags = []
        distance = None
        if capture.location is not None and place is not None:
            located = True
            distance = round(distance_m(capture.location, place))
            if distance > rule.radius_m:
                flags.append(PresenceFlag.FAR_FROM_PLACE)
        # A second of slack: a phone's clock and the server's are never quite one.
        if capture.taken_at < not_before - timedelta(seconds=1):
            flags.append(PresenceFlag.TAKEN_BEFORE_STEP)
        evidence.append(
            EvidencePresence(
                evidence_id=capture.evidence_id,
                taken_at=capture.taken_at,
                time_source=capture.time_source,
                location=capture.location,
                distance_m=distance,
                flags=flags,
            )
        )
    step_flags = {f for e in evidence for f in e.flags}
    if not located:
        step_flags.add(PresenceFlag.NO_POSITION)
    return Presence(
        radius_m=rule.radius_m,
        place_location=place,
        evidence=evidence,
        flags=[f for f in PresenceFlag if f in step_flags],
    )


def first_position(captures: Sequence[Capture]) -> GeoPoint | None:
    """Where a place without a registered position is taken to be: where the first
    located evidence of its first inspection was taken."""
    return next((c.location for c in captures if c.location is not None), None)
