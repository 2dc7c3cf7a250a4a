"""Replanning by a small change to the groups, read without any service."""

from __future__ import annotations

from datetime import date
from typing import Any

from crosscheck_console.api.refusals import refusal
from crosscheck_console.domain.field import FormProblems
from crosscheck_console.domain.replan import Change, read_change, rounds_not_started


def _plan() -> dict[str, Any]:
    return {
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-28",
        "rounds": 4,
        "groups": [
            {"group_id": "g1", "name": "第一组", "leader_id": "s1", "member_ids": ["s1", "s2"]},
            {"group_id": "g2", "name": "第二组", "leader_id": "s3", "member_ids": ["s3", "s4"]},
        ],
        "schedule": [{"round_no": n, "closed": n == 1} for n in (1, 2, 3, 4)],
    }


def test_only_rounds_not_started_may_change() -> None:
    # Round 2 runs 12-08..12-14: on the 10th only rounds 3 and 4 have not started.
    assert rounds_not_started(_plan(), date(2026, 12, 10)) == [3, 4]
    assert rounds_not_started(_plan(), date(2026, 12, 30)) == []
    assert rounds_not_started({**_plan(), "starts_on": None}, date(2026, 12, 10)) == []


def _values(**given: str) -> dict[str, list[str]]:
    return {k: [v] for k, v in given.items()}


def test_a_change_is_read_into_the_rotations_body() -> None:
    move = read_change(
        _values(kind="move", member="s2", to_group="g2", reason="调动", from_round="3"),
        _plan(),
        [3, 4],
    )
    assert move == Change("move", "s2", "g2", None, "调动", 3)
    assert isinstance(move, Change)
    assert move.body() == {
        "kind": "move",
        "member": "s2",
        "reason": "调动",
        "from_round": 3,
        "to_group": "g2",
    }
    swap = read_change(
        _values(kind="swap", member="s2", other="s4", reason="互换", from_round="4"),
        _plan(),
        [3, 4],
    )
    assert isinstance(swap, Change) and swap.body()["other"] == "s4"


def test_every_field_is_checked() -> None:
    problems = read_change(
        _values(kind="move", member="s2", to_group="g1", reason=" ", from_round="2"),
        _plan(),
        [3, 4],
    )
    assert isinstance(problems, FormProblems)
    assert set(problems.by_field) == {"to_group", "reason", "from_round"}
    same_group = read_change(
        _values(kind="swap", member="s1", other="s2", reason="x", from_round="3"), _plan(), [3]
    )
    assert isinstance(same_group, FormProblems) and set(same_group.by_field) == {"other"}
    nobody = read_change(_values(kind="fly", member="s9", reason="x"), _plan(), [3])
    assert isinstance(nobody, FormProblems)
    assert set(nobody.by_field) == {"kind", "member", "from_round"}


def test_a_refusal_reads_its_causes_and_ways_out_in_the_users_language() -> None:
    detail = {
        "causes": [{"rule": "zone_blocked", "zh": "片区甲村:张三须回避", "en": "Zone 甲村: 张三"}],
        "ways_out": {"changes": ["move"], "zh": "可以调组", "en": "Move someone"},
    }
    zh = refusal("不能调整", detail, "zh")
    assert (zh.message, zh.causes, zh.ways_out) == ("不能调整", ["片区甲村:张三须回避"], "可以调组")
    assert refusal("No", detail, "en").ways_out == "Move someone"
    assert refusal("No", None, "en").causes == []
