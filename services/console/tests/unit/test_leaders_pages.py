"""The dashboard's and the roster's rules without a server: people and places by name
(never by id), the leadership first, the rotation's catching up, the charts' data."""

from __future__ import annotations

from crosscheck_console.api.texts import register_texts
from crosscheck_console.app.dashboard import Breakdown, _named, _ordered
from crosscheck_console.domain.charts import charts
from crosscheck_console.domain.roster import Propagation, roster_rows

STAFF = [
    {
        "id": "s2",
        "name": "王芳",
        "unit": "综治中心",
        "is_leadership": False,
        "home_village_id": "v1",
        "conflict_village_ids": ["v2", "v-gone"],
        "conflict_site_ids": ["p1"],
        "active": True,
    },
    {
        "id": "s1",
        "name": "李强",
        "unit": "乡党委",
        "is_leadership": True,
        "home_village_id": None,
        "conflict_village_ids": [],
        "conflict_site_ids": [],
        "active": True,
    },
    {
        "id": "s3",
        "name": "张敏",
        "unit": "乡人民政府",
        "is_leadership": True,
        "home_village_id": "v2",
        "conflict_village_ids": [],
        "conflict_site_ids": [],
        "active": False,
    },
]


def test_the_roster_names_every_village_and_place() -> None:
    rows = roster_rows(
        STAFF,
        {"v1": "中和村委会", "v2": "小河村委会"},
        {"p1": "廖家木器加工坊"},
        [{"username": "wangfang", "role": "inspector", "enabled": False, "staff_id": "s2"}],
        "(名称待同步)",
    )
    assert [r.name for r in rows] == ["李强", "王芳", "张敏"]  # leadership, others, gone
    wang = rows[1]
    assert wang.home_village == "中和村委会"
    assert wang.conflict_villages == ["小河村委会", "(名称待同步)"]
    assert wang.conflict_places == ["廖家木器加工坊"]
    assert wang.login is not None and not wang.login.enabled
    assert rows[0].login is None and rows[0].home_village is None
    text = repr(rows)
    assert "v-gone" not in text and "p1" not in text and "'v1'" not in text


def test_the_rotation_has_caught_up_when_its_counts_are_the_registry_s() -> None:
    assert Propagation(49, 68, 49, 68).caught_up
    assert not Propagation(49, 68, 48, 68).caught_up
    assert not Propagation(49, 68, 49, 0).caught_up


def test_rounds_of_one_campaign_are_numbered_and_unknown_names_hidden() -> None:
    register_texts()
    one = _named("round", {"key": "c-1#2", "label": "春季 第2轮"}, "zh", True)
    assert one["label"] == "第 2 轮"
    many = _named("round", {"key": "c-1#2", "label": "春季 第2轮"}, "zh", False)
    assert many["label"] == "春季 第2轮"
    unknown = _named("village", {"key": "v-9", "label": "v-9"}, "en", True)
    assert unknown["label"] == "(name not yet known)"
    category = _named("category", {"key": "gas", "label": "用气安全"}, "zh", True)
    assert category["label"] == "用气安全"


def test_charts_skip_empty_slices_and_categories_come_most_first() -> None:
    rows = [
        {"key": "a", "label": "甲", "hazards": 2, "verified": 1, "overdue": 0},
        {"key": "b", "label": "乙", "hazards": 0, "verified": 0, "overdue": 0},
        {"key": "c", "label": "丙", "hazards": 5, "verified": 5, "overdue": 1},
    ]
    ordered = _ordered("category", rows)
    assert [r["label"] for r in ordered] == ["丙", "甲", "乙"]
    (chart,) = charts([Breakdown("category", ordered), Breakdown("village", [])])
    assert chart == {
        "by": "category",
        "kind": "pie",
        "labels": ["丙", "甲"],
        "hazards": [5, 2],
        "verified": [5, 1],
        "overdue": [1, 0],
    }
