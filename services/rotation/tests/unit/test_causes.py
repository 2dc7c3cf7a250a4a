"""An impossible plan's causes: the domain says which rule and with what (codes and
parameters, names included); the edge renders the words, in Chinese and English."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crosscheck_platform.http.errors import install_error_handlers
from crosscheck_rotation.api.causes import infeasible_answer, listed
from crosscheck_rotation.domain.causes import Cause, RotationInfeasible
from crosscheck_rotation.domain.planner import plan_campaign

from .builders import member, problem, zone


def _refused() -> RotationInfeasible:
    p = problem(
        {"g1": [member("a", "x", leader=True)], "g2": [member("b", leader=True), member("c", "x")]},
        [zone("x"), zone("y")],
        rounds=2,
    )
    with pytest.raises(RotationInfeasible) as caught:
        plan_campaign(p, 1, seed=1)
    return caught.value


def test_the_domain_gives_codes_and_parameters_and_no_words() -> None:
    refused = _refused()
    [cause, *_] = refused.causes
    assert [f.name for f in dataclasses.fields(Cause)] == [
        "rule",
        "params",
        "suggestion",
        "suggestion_params",
    ]
    assert cause.rule == "zone_blocked" and cause.suggestion == "move_member"
    assert cause.params["zone"] == "x村"  # names, not ids, are parameters
    assert cause.params["members"] == ("a", "c")  # several names: listed at the edge
    assert not hasattr(cause, "text") and not hasattr(cause, "as_detail")
    assert refused.key == "rotation.infeasible.zone_blocked.move_member"
    assert "causes" not in refused.params and refused.ways_out is False
    # None of the catalogue's words: the parameters are names and numbers only.
    said = repr(refused.causes) + repr(refused.params)
    assert "检查组" not in said and "every group" not in said and "回避" not in said


def _client(refused: RotationInfeasible) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)
    app.add_exception_handler(RotationInfeasible, infeasible_answer)

    @app.get("/plan")
    def plan() -> None:
        raise refused

    return TestClient(app)


def test_the_api_renders_the_causes_in_chinese_by_default_and_in_english() -> None:
    refused = _refused()
    client = _client(RotationInfeasible(refused.causes, ways_out=True))
    zh = client.get("/plan")
    en = client.get("/plan", headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 422
    assert zh.headers["Content-Language"] == "zh-CN" and en.headers["Content-Language"] == "en"
    said_zh, said_en = zh.json()["error"], en.json()["error"]
    assert said_zh["code"] == said_en["code"] == "rule_violation"
    assert "x村" in said_zh["message"] and "每个检查组" in said_zh["message"]
    assert "every group has a member" in said_en["message"]
    [first, *_] = said_zh["detail"]["causes"]
    assert first["rule"] == "zone_blocked" and first["params"]["zone"] == "x村"
    assert first["params"]["members"] == "a、c" and "a、c" in said_en["message"]
    assert "每个检查组" in first["zh"] and "every group has a member" in first["en"]
    assert said_zh["detail"] == said_en["detail"]  # both languages for programs
    assert said_zh["detail"]["zone"] == "x村"
    ways = said_zh["detail"]["ways_out"]
    assert ways["changes"] == ["move", "swap", "leader"] and ways["zh"] and ways["en"]


def test_a_long_list_of_names_is_shortened_in_the_words_only() -> None:
    many = tuple(f"{n}村" for n in range(12))
    assert listed({"zones": many, "count": 12})["zones"] == "、".join(many[:10]) + "…"
    assert listed({"zones": many[:2], "count": 2}) == {"zones": "0村、1村", "count": 2}
