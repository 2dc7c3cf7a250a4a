"""After the inspection: the village committee's follow-up list (点对点跟踪督办) and the
two forms that move a hazard on — a fix reported with photos, and the on-site re-check
(现场复核) passed or failed. Pure: message keys, no texts, no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from crosscheck_console.domain.field import (
    MAX_TEXT,
    FormProblems,
    Photo,
    Taken,
    check_photos,
    read_deadline,
    read_taken,
)

OPEN_STATES = frozenset({"found", "notified", "rectifying", "reported", "rejected"})
"""The ledger's names of the states a hazard is open in (not yet verified)."""


def follow_up_order(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Open hazards, overdue first, then by deadline (none last), then as found."""
    open_rows = [r for r in rows if r.get("state") in OPEN_STATES]
    return sorted(
        open_rows,
        key=lambda r: (
            not r.get("overdue"),
            r.get("deadline") is None,
            r.get("deadline") or "",
            r.get("found_at") or "",
        ),
    )


@dataclass(frozen=True)
class ReportForm:
    note: str
    photos: tuple[Photo, ...]
    taken: Taken = field(default_factory=Taken)


@dataclass(frozen=True)
class VerifyForm:
    passed: bool
    note: str
    new_deadline: date | None
    photos: tuple[Photo, ...]
    taken: Taken = field(default_factory=Taken)


def _one(values: Mapping[str, Sequence[str]], name: str) -> str:
    got = values.get(name) or [""]
    return got[0].strip()


def read_report(
    values: Mapping[str, Sequence[str]], photos: Sequence[Photo], now: datetime | None = None
) -> ReportForm | FormProblems:
    problems = FormProblems()
    note = _one(values, "note")
    if not note:
        problems.add("note", "console.fix.err.note")
    elif len(note) > MAX_TEXT:
        problems.add("note", "console.field.err.too_long", most=MAX_TEXT)
    check_photos(photos, "photos", problems)
    taken = _taken(values, photos, now, problems)
    if problems.by_field:
        return problems
    return ReportForm(note, tuple(photos), taken)


def _taken(
    values: Mapping[str, Sequence[str]],
    photos: Sequence[Photo],
    now: datetime | None,
    problems: FormProblems,
) -> Taken:
    """When and where the page says the photos were taken (taken_at_photos, ...)."""
    if not photos or now is None:
        return Taken()
    return read_taken(values, "photos", now, problems, "photos")


def read_verify(
    values: Mapping[str, Sequence[str]],
    photos: Sequence[Photo],
    *,
    major: bool,
    today: date,
    now: datetime | None = None,
) -> VerifyForm | FormProblems:
    """Passed: a note if wanted, and for a major hazard at least one photo of the
    re-check (the service also wants it taken after the fix was reported). Failed: the
    reason, and a new deadline if the default one is not wanted."""
    problems = FormProblems()
    outcome = _one(values, "outcome")
    note = _one(values, "note")
    if outcome not in ("pass", "fail"):
        problems.add("outcome", "console.verify.err.outcome")
    if len(note) > MAX_TEXT:
        problems.add("note", "console.field.err.too_long", most=MAX_TEXT)
    elif outcome == "fail" and not note:
        problems.add("note", "console.verify.err.reason")
    if outcome == "pass" and major and not photos:
        problems.add("photos", "console.verify.err.major_photo")
    new_deadline = None
    if outcome == "fail":
        new_deadline = read_deadline(_one(values, "new_deadline"), "new_deadline", today, problems)
    check_photos(photos, "photos", problems)
    taken = _taken(values, photos, now, problems)
    if problems.by_field:
        return problems
    return VerifyForm(outcome == "pass", note, new_deadline, tuple(photos), taken)
