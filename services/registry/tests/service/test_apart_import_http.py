"""回避人员 in the staff roster, through HTTP on the real stack: the officials a person
must not share an inspection group with, by name (people of the same file or already
on the staff), declared as StaffConflictDeclared.staff_ids; an unknown name is an
error at its cell, in Chinese and in English, found by a dry run."""

from __future__ import annotations

from typing import Any

from crosscheck_scenarios.registry import Scenario, to_csv

from .conftest import Registry

HEADERS = ["序号", "姓名", "单位", "是否班子成员", "居住村", "回避人员"]
CSV = "text/csv"


def _roster(rows: list[list[str]]) -> bytes:
    return to_csv(HEADERS, [[str(n), *row] for n, row in enumerate(rows, start=1)])


async def _staff(registry: Registry, township: str) -> dict[str, dict[str, Any]]:
    answer = await registry.client.get(
        f"/v1/townships/{township}/staff", headers=registry.token(township=township)
    )
    assert answer.status_code == 200, answer.text
    return {s["name"]: s for s in answer.json()["items"]}


async def test_kept_apart_by_name_and_unknown_names_reported_per_cell(
    registry: Registry, scenario: Scenario
) -> None:
    township = scenario.township_code
    await registry.setup_township(scenario)
    first = _roster(
        [
            ["李建国", "乡党委", "是", "", ""],
            ["李建华", "综治中心", "否", "", "李建国"],  # his brother, in the same file
            ["张丽", "财政所", "否", "", ""],
        ]
    )
    done = await registry.upload(township, first, content_type=CSV)
    assert done.status_code == 200, done.text
    staff = await _staff(registry, township)
    assert staff["李建华"]["conflict_staff_ids"] == [staff["李建国"]["id"]]
    assert staff["张丽"]["conflict_staff_ids"] == []

    # Names already on the staff count too; unknown names and oneself are cell errors.
    second = _roster(
        [
            ["李建国", "乡党委", "是", "", ""],
            ["李建华", "综治中心", "否", "", "李建国"],
            ["张丽", "财政所", "否", "", "李建国、王不在"],
            ["赵敏", "应急办", "否", "", "赵敏"],
        ]
    )
    dry = await registry.upload(township, second, content_type=CSV, dry_run=True)
    assert dry.status_code == 200, dry.text
    errors = dry.json()["errors"]
    assert [(e["row"], e["column"], e["code"]) for e in errors] == [
        (4, "回避人员", "registry.import.unknown_staff"),
        (5, "回避人员", "registry.import.conflict_self"),
    ]
    assert "王不在" in errors[0]["message"] and "不在本表中" in errors[0]["message"]
    english = await registry.upload(
        township,
        second,
        content_type=CSV,
        dry_run=True,
        headers={**registry.token(township=township), "Accept-Language": "en"},
    )
    messages = [e["message"] for e in english.json()["errors"]]
    assert messages[0].startswith("“王不在”, listed to be kept apart, is neither")
    assert messages[1] == "赵敏 cannot be kept apart from themselves."

    fixed = _roster(
        [
            ["李建国", "乡党委", "是", "", ""],
            ["李建华", "综治中心", "否", "", "李建国"],
            ["张丽", "财政所", "否", "", "李建国"],
            ["赵敏", "应急办", "否", "", "张丽"],
        ]
    )
    dry = await registry.upload(township, fixed, content_type=CSV, dry_run=True)
    assert dry.status_code == 200 and dry.json()["errors"] == [], dry.text
    updated = {e["name"]: e for e in dry.json()["staff"]["updated"]}
    assert set(updated) == {"张丽"}
    assert [e["name"] for e in dry.json()["staff"]["new"]] == ["赵敏"]
    done = await registry.upload(township, fixed, content_type=CSV)
    assert done.status_code == 200, done.text
    staff = await _staff(registry, township)
    assert staff["张丽"]["conflict_staff_ids"] == [staff["李建国"]["id"]]
    assert staff["赵敏"]["conflict_staff_ids"] == [staff["张丽"]["id"]]
    # The same file again changes nothing.
    again = await registry.upload(township, fixed, content_type=CSV, dry_run=True)
    assert again.json()["staff"]["unchanged"] == 4
