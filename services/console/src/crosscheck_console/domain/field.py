"""The inspector's day: which group and round are theirs today, and the inspection form
read into what the hazards service records. Pure: no I/O, no texts (errors are message
keys with their parameters, translated by the page)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from crosscheck_console.domain.plan import round_dates

LOCAL = ZoneInfo("Asia/Shanghai")
SEVERITIES = ("general", "major")
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"})
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 6
MAX_SIGNATURE_BYTES = 512 * 1024
MAX_TEXT = 2000
MAX_NAME = 100
LONGEST_DEADLINE = timedelta(days=366)


@dataclass(frozen=True)
class Duty:
    """One group's work in one round: the places of its zone."""

    campaign_id: str
    campaign_name: str
    round_no: int
    starts_on: str
    ends_on: str
    group_id: str
    group_name: str
    leader_id: str
    member_ids: tuple[str, ...]
    zone_name: str
    site_ids: tuple[str, ...]

    @property
    def url(self) -> str:
        return f"/field/{self.campaign_id}/{self.round_no}"


def duties_of(plan: Mapping[str, Any], staff_id: str) -> list[Duty]:
    """Every round of the campaign in which the person's group has places, in order."""
    groups = [g for g in plan["groups"] if staff_id in g["member_ids"]]
    zones = {z["zone_id"]: z["name"] for z in plan.get("zones", [])}
    found = []
    for record in plan["schedule"]:
        if record["closed"]:
            continue
        starts, ends = round_dates(
            plan["starts_on"], plan["ends_on"], plan["rounds"], record["round_no"]
        )
        for a in record["assignments"]:
            group = next((g for g in groups if g["group_id"] == a["group_id"]), None)
            if group is None:
                continue
            found.append(
                Duty(
                    campaign_id=plan["campaign_id"],
                    campaign_name=plan["name"],
                    round_no=record["round_no"],
                    starts_on=starts,
                    ends_on=ends,
                    group_id=group["group_id"],
                    group_name=group["name"],
                    leader_id=group["leader_id"],
                    member_ids=tuple(group["member_ids"]),
                    zone_name=zones.get(a["zone_id"], a["zone_id"]),
                    site_ids=tuple(a["site_ids"]),
                )
            )
    return found


def today_and_next(duties: Sequence[Duty], today: date) -> tuple[list[Duty], Duty | None]:
    """The duties whose round runs today, and the first one still to come."""
    day = today.isoformat()
    current = [d for d in duties if d.starts_on <= day <= d.ends_on]
    later = sorted((d for d in duties if d.starts_on > day), key=lambda d: d.starts_on)
    return current, (later[0] if later else None)


@dataclass(frozen=True)
class Photo:
    """An uploaded file as the form carries it (the bytes stay with the page)."""

    field: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Taken:
    """When and where the phone says a finding's photos were taken (its clock, and its
    position when the person allowed the page to read it)."""

    at: datetime | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class Finding:
    """A failed check as the inspector wrote it."""

    index: int
    item_id: str
    severity: str
    description: str
    deadline: date | None
    photos: tuple[Photo, ...]
    taken: Taken = Taken()


@dataclass(frozen=True)
class InspectionForm:
    item_ids: tuple[str, ...]
    passed: tuple[str, ...]
    findings: tuple[Finding, ...]
    present_staff_ids: tuple[str, ...]
    told_person: str
    signed: bool
    responsible_person: str
    inspected_at: datetime | None
    signature: Photo | None = None
    """The told person's signature as drawn on the phone (a PNG); None when they
    refused or could not sign."""
    signed_at: datetime | None = None


Problem = tuple[str, dict[str, Any]]


@dataclass
class FormProblems:
    by_field: dict[str, Problem] = field(default_factory=dict)

    def add(self, name: str, key: str, **params: Any) -> None:
        self.by_field.setdefault(name, (key, params))


def read_form(
    values: Mapping[str, Sequence[str]],
    photos: Mapping[int, Sequence[Photo]],
    *,
    members: Sequence[str],
    today: date,
    now: datetime,
    signature: Sequence[Photo] = (),
) -> InspectionForm | FormProblems:
    """Check every field of the inspection form; answer the form or every problem by
    field name. Items are numbered as the form numbers them (item_0, item_1, ...)."""
    problems = FormProblems()

    def one(name: str) -> str:
        got = values.get(name) or [""]
        return got[0].strip()

    count = 0
    while f"item_{count}" in values:
        count += 1
    if count == 0:
        problems.add("items", "console.field.err.no_items")
    item_ids, passed, findings = [], [], []
    for n in range(count):
        item_id = one(f"item_{n}")
        item_ids.append(item_id)
        result = one(f"result_{n}")
        if result == "pass":
            passed.append(item_id)
            continue
        if result != "fail":
            problems.add(f"result_{n}", "console.field.err.result", n=n + 1)
            continue
        severity = one(f"severity_{n}")
        if severity not in SEVERITIES:
            problems.add(f"severity_{n}", "console.field.err.severity", n=n + 1)
        description = one(f"description_{n}")
        if not description:
            problems.add(f"description_{n}", "console.field.err.description", n=n + 1)
        elif len(description) > MAX_TEXT:
            problems.add(f"description_{n}", "console.field.err.too_long", most=MAX_TEXT)
        deadline = read_deadline(one(f"deadline_{n}"), f"deadline_{n}", today, problems)
        shots = tuple(photos.get(n, ()))
        check_photos(shots, f"photo_{n}", problems)
        taken = read_taken(values, n, now, problems) if shots else Taken()
        findings.append(Finding(n, item_id, severity, description, deadline, shots, taken))
    present = tuple(dict.fromkeys(p for p in values.get("present", []) if p in members))
    if not present:
        problems.add("present", "console.field.err.present")
    told, responsible = one("told_person"), one("responsible_person")
    if findings:
        for name, value in (("told_person", told), ("responsible_person", responsible)):
            if not value:
                problems.add(name, f"console.field.err.{name}")
            elif len(value) > MAX_NAME:
                problems.add(name, "console.field.err.too_long", most=MAX_NAME)
    inspected_at = _moment(one("inspected_at"), now, problems)
    drawn = read_signature(values, signature, problems) if findings else None
    signed_at = _moment(one("signed_at"), now, problems, "signature") if drawn else None
    if problems.by_field:
        return problems
    return InspectionForm(
        item_ids=tuple(item_ids),
        passed=tuple(passed),
        findings=tuple(findings),
        present_staff_ids=present,
        told_person=told,
        # A form kept by an older page says "signed" with a checkbox, and no drawing.
        signed=drawn is not None or (one("signed") == "yes" and one("refused") != "yes"),
        responsible_person=responsible,
        inspected_at=inspected_at,
        signature=drawn,
        signed_at=signed_at,
    )


def read_signature(
    values: Mapping[str, Sequence[str]],
    drawn: Sequence[Photo],
    problems: FormProblems,
) -> Photo | None:
    """当场告知 is signed by the person told (drawn on the phone), or they refused or
    could not sign (said so); one or the other when a hazard is found."""
    refused = (values.get("refused") or [""])[0] == "yes"
    if refused:
        return None
    if not drawn:
        if (values.get("signed") or [""])[0] != "yes":  # an older page's checkbox
            problems.add("signature", "console.field.err.signature")
        return None
    shot = drawn[0]
    one_png = len(drawn) == 1 and shot.content_type == "image/png"
    if not one_png or not 0 < shot.size <= MAX_SIGNATURE_BYTES:
        problems.add("signature", "console.field.err.signature_file")
    return shot


def read_deadline(raw: str, name: str, today: date, problems: FormProblems) -> date | None:
    if not raw:
        return None  # the hazards service sets it by severity
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        problems.add(name, "console.field.err.date")
        return None
    if day < today:
        problems.add(name, "console.field.err.deadline_past")
    elif day - today > LONGEST_DEADLINE:
        problems.add(name, "console.field.err.deadline_far")
    return day


def check_photos(shots: Sequence[Photo], name: str, problems: FormProblems) -> None:
    if len(shots) > MAX_PHOTOS:
        problems.add(name, "console.field.err.photo_count", most=MAX_PHOTOS)
    for shot in shots:
        if shot.content_type not in PHOTO_TYPES:
            problems.add(name, "console.field.err.photo_type")
        elif shot.size == 0:
            problems.add(name, "console.field.err.photo_empty")
        elif shot.size > MAX_PHOTO_BYTES:
            problems.add(name, "console.field.err.photo_size", most=MAX_PHOTO_BYTES >> 20)


def read_taken(
    values: Mapping[str, Sequence[str]],
    n: int | str,
    now: datetime,
    problems: FormProblems,
    field: str | None = None,
) -> Taken:
    """The time and position the page read when item n's photos were taken
    (taken_at_n, lat_n, lon_n); a position needs both its numbers, in range. Problems
    go to `field` (default photo_n)."""
    field = field or f"photo_{n}"

    def one(name: str) -> str:
        got = values.get(f"{name}_{n}") or [""]
        return got[0].strip()

    at = _moment(one("taken_at"), now, problems, field)
    raw_lat, raw_lon = one("lat"), one("lon")
    if not raw_lat and not raw_lon:
        return Taken(at)
    try:
        lat, lon = float(raw_lat), float(raw_lon)
    except ValueError:
        problems.add(field, "console.field.err.position")
        return Taken(at)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        problems.add(field, "console.field.err.position")
        return Taken(at)
    return Taken(at, lat, lon)


def _moment(
    raw: str, now: datetime, problems: FormProblems, name: str = "inspected_at"
) -> datetime | None:
    """When the page says the inspection was made (a form queued offline is sent
    later); None lets the service take the time it receives it."""
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        problems.add(name, "console.field.err.date")
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    # A phone's clock runs a little ahead at times; the service refuses the future.
    return min(moment, now)


def end_of_day(day: date) -> datetime:
    """A deadline given as a day runs to its end, local time."""
    return datetime.combine(day, time(23, 59, 59), LOCAL)
