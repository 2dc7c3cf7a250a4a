"""The inspector's day and the field forms, read without any service."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from crosscheck_console.domain.field import (
    LOCAL,
    MAX_PHOTO_BYTES,
    FormProblems,
    InspectionForm,
    Photo,
    Taken,
    duties_of,
    read_form,
    today_and_next,
)
from crosscheck_console.domain.rectification import (
    ReportForm,
    VerifyForm,
    follow_up_order,
    read_report,
    read_verify,
)

TODAY = date(2026, 12, 6)
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=LOCAL)


def _plan() -> dict[str, Any]:
    return {
        "campaign_id": "c-1",
        "name": "冬季互查",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-28",
        "rounds": 4,
        "zones": [{"zone_id": "z1", "name": "甲村"}, {"zone_id": "z2", "name": "乙村"}],
        "groups": [
            {"group_id": "g1", "name": "第一组", "leader_id": "s1", "member_ids": ["s1", "s2"]},
            {"group_id": "g2", "name": "第二组", "leader_id": "s3", "member_ids": ["s3", "s4"]},
        ],
        "schedule": [
            {
                "round_no": n,
                "closed": n == 2,
                "assignments": [
                    {"group_id": "g1", "zone_id": "z1" if n % 2 else "z2", "site_ids": [f"p{n}"]},
                    {"group_id": "g2", "zone_id": "z2" if n % 2 else "z1", "site_ids": ["q"]},
                ],
            }
            for n in (1, 2, 3, 4)
        ],
    }


def test_the_round_running_today_and_the_next_one() -> None:
    duties = duties_of(_plan(), "s2")
    assert [d.round_no for d in duties] == [1, 3, 4]  # round 2 is closed
    current, upcoming = today_and_next(duties, TODAY)
    assert [(d.round_no, d.zone_name, d.site_ids) for d in current] == [(1, "甲村", ("p1",))]
    assert upcoming is not None and upcoming.round_no == 3 and upcoming.starts_on == "2026-12-15"
    assert today_and_next(duties, date(2027, 1, 5)) == ([], None)
    assert duties_of(_plan(), "nobody") == []


def _values(**extra: str) -> dict[str, list[str]]:
    values = {
        "item_0": ["fire.extinguisher"],
        "item_1": ["elec.wiring"],
        "result_0": ["fail"],
        "result_1": ["pass"],
        "severity_0": ["major"],
        "description_0": ["灭火器过期"],
        "deadline_0": [(TODAY + timedelta(days=5)).isoformat()],
        "present": ["s1", "s2"],
        "told_person": ["张三"],
        "signed": ["yes"],
        "responsible_person": ["张三"],
    }
    values.update({k: [v] for k, v in extra.items()})
    return values


def _read(values: dict[str, list[str]], photos: Any = None) -> InspectionForm | FormProblems:
    return read_form(values, photos or {}, members=["s1", "s2"], today=TODAY, now=NOW)


def test_a_filled_form_reads_into_answers_and_findings() -> None:
    photo = Photo("photo_0", "image/jpeg", 1000)
    form = _read(_values(), {0: [photo]})
    assert isinstance(form, InspectionForm)
    assert form.passed == ("elec.wiring",)
    [finding] = form.findings
    assert (finding.item_id, finding.severity, finding.description) == (
        "fire.extinguisher",
        "major",
        "灭火器过期",
    )
    assert finding.deadline == TODAY + timedelta(days=5) and finding.photos == (photo,)
    assert form.signed and form.present_staff_ids == ("s1", "s2")


def test_every_field_is_checked() -> None:
    problems = _read(
        _values(
            result_1="",
            severity_0="tiny",
            description_0="  ",
            deadline_0="2026-12-01",
            told_person="",
            responsible_person="x" * 101,
        )
        | {"present": ["someone-else"]},
        {0: [Photo("photo_0", "application/pdf", 10), Photo("photo_0", "image/png", 0)]},
    )
    assert isinstance(problems, FormProblems)
    keys = {name: key for name, (key, _) in problems.by_field.items()}
    assert keys == {
        "result_1": "console.field.err.result",
        "severity_0": "console.field.err.severity",
        "description_0": "console.field.err.description",
        "deadline_0": "console.field.err.deadline_past",
        "photo_0": "console.field.err.photo_type",
        "present": "console.field.err.present",
        "told_person": "console.field.err.told_person",
        "responsible_person": "console.field.err.too_long",
    }
    assert problems.by_field["result_1"][1] == {"n": 2}
    far = _read(
        _values(deadline_0="2028-01-01"), {0: [Photo("p", "image/jpeg", MAX_PHOTO_BYTES + 1)]}
    )
    assert isinstance(far, FormProblems)
    assert {k for k, _ in far.by_field.values()} == {
        "console.field.err.deadline_far",
        "console.field.err.photo_size",
    }


def test_no_hazard_needs_no_persons_and_the_phone_clock_never_runs_ahead() -> None:
    later = (NOW + timedelta(hours=1)).astimezone(UTC).isoformat()
    form = _read(
        _values(result_0="pass", told_person="", responsible_person="", inspected_at=later)
    )
    assert isinstance(form, InspectionForm)
    assert form.findings == () and form.inspected_at == NOW


def test_a_photos_time_and_position_go_with_its_finding() -> None:
    photo = Photo("photo_0", "image/jpeg", 1000)
    taken = (NOW - timedelta(minutes=3)).astimezone(UTC).isoformat()
    form = _read(_values(taken_at_0=taken, lat_0="26.051234", lon_0="101.553421"), {0: [photo]})
    assert isinstance(form, InspectionForm)
    assert form.findings[0].taken == Taken(NOW - timedelta(minutes=3), 26.051234, 101.553421)
    # Position refused by the person: the time alone; no photo: nothing at all.
    alone = _read(_values(taken_at_0=taken), {0: [photo]})
    assert isinstance(alone, InspectionForm) and not alone.findings[0].taken.has_position
    assert alone.findings[0].taken.at == NOW - timedelta(minutes=3)
    none = _read(_values(taken_at_0=taken, lat_0="1", lon_0="2"))
    assert isinstance(none, InspectionForm) and none.findings[0].taken == Taken()
    for lat, lon in (("95", "101"), ("26", ""), ("nan", "101"), ("north", "east")):
        bad = _read(_values(lat_0=lat, lon_0=lon), {0: [photo]})
        assert isinstance(bad, FormProblems)
        assert bad.by_field == {"photo_0": ("console.field.err.position", {})}


def test_told_on_the_spot_is_signed_by_drawing_or_refused() -> None:
    drawn = Photo("signature", "image/png", 4000)
    signed_at = (NOW - timedelta(minutes=1)).astimezone(UTC).isoformat()
    values = _values(signed_at=signed_at)
    del values["signed"]
    form = _read_signed(values, [drawn])
    assert isinstance(form, InspectionForm)
    assert form.signed and form.signature == drawn
    assert form.signed_at == NOW - timedelta(minutes=1)
    refused = _read_signed(_values(refused="yes"), [drawn])  # refusal wins
    assert isinstance(refused, InspectionForm)
    assert not refused.signed and refused.signature is None
    del values["signed_at"]
    for sent in ([], [Photo("signature", "image/jpeg", 10)], [drawn, drawn]):
        problems = _read_signed(values, sent)
        assert isinstance(problems, FormProblems)
        assert list(problems.by_field) == ["signature"]
    # No hazard, nothing to sign; an older page's checkbox still reads as signed.
    assert isinstance(_read_signed(_values(result_0="pass") | {"signed": []}, []), InspectionForm)
    older = _read_signed(_values(), [])
    assert isinstance(older, InspectionForm) and older.signed and older.signature is None


def _read_signed(values: dict[str, list[str]], drawn: list[Photo]) -> Any:
    return read_form(values, {}, members=["s1"], today=TODAY, now=NOW, signature=drawn)


def test_follow_up_list_overdue_first_then_by_deadline() -> None:
    rows: list[dict[str, Any]] = [
        {"hazard_id": "a", "state": "rectifying", "deadline": "2026-12-20T00:00:00Z"},
        {"hazard_id": "b", "state": "verified", "deadline": "2026-11-01T00:00:00Z"},
        {"hazard_id": "c", "state": "rejected", "overdue": True, "deadline": "2026-12-01T00:00Z"},
        {"hazard_id": "d", "state": "notified", "deadline": None},
        {"hazard_id": "e", "state": "reported", "deadline": "2026-12-10T00:00:00Z"},
    ]
    assert [r["hazard_id"] for r in follow_up_order(rows)] == ["c", "e", "a", "d"]


def test_report_and_recheck_forms() -> None:
    assert isinstance(read_report({"note": [" "]}, []), FormProblems)
    assert read_report({"note": ["已整改"]}, []).note == "已整改"  # type: ignore[union-attr]
    photo = Photo("photos", "image/jpeg", 10)

    def verify(major: bool = False, photos: Any = (), **values: str) -> Any:
        return read_verify({k: [v] for k, v in values.items()}, photos, major=major, today=TODAY)

    def keys(read: Any) -> set[str]:
        assert isinstance(read, FormProblems)
        return {key for key, _ in read.by_field.values()}

    assert keys(verify()) == {"console.verify.err.outcome"}
    assert keys(verify(outcome="fail")) == {"console.verify.err.reason"}
    assert keys(verify(major=True, outcome="pass")) == {"console.verify.err.major_photo"}
    assert verify(major=True, outcome="pass", photos=[photo]).passed
    failed = verify(outcome="fail", note="未整改", new_deadline="2026-12-20")
    assert not failed.passed and failed.new_deadline == date(2026, 12, 20)
    assert keys(verify(outcome="fail", note="x", new_deadline="soon")) == {"console.field.err.date"}


def test_a_fix_or_recheck_photo_carries_the_phones_time_and_position() -> None:
    photo = Photo("photos", "image/jpeg", 10)
    taken = (NOW - timedelta(minutes=2)).astimezone(UTC).isoformat()
    given = {"note": ["已整改"], "taken_at_photos": [taken], "lat_photos": ["26.05"]}
    report = read_report({**given, "lon_photos": ["101.55"]}, [photo], NOW)
    assert isinstance(report, ReportForm)
    assert report.taken == Taken(NOW - timedelta(minutes=2), 26.05, 101.55)
    bad = read_report({**given, "lon_photos": ["east"]}, [photo], NOW)
    assert isinstance(bad, FormProblems)
    assert bad.by_field == {"photos": ("console.field.err.position", {})}
    checked = read_verify(
        {"outcome": ["pass"], "lat_photos": ["26.05"], "lon_photos": ["101.55"]},
        [photo],
        major=True,
        today=TODAY,
        now=NOW,
    )
    assert isinstance(checked, VerifyForm) and checked.taken.has_position
