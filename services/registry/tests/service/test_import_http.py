"""Acceptance of the import through HTTP on the real stack: the reference scenario as an
XLSX workbook, re-imported unchanged, then an edited copy; a file with bad rows."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from crosscheck_platform.auth import Role
from crosscheck_registry.domain.values import mask_phone, phone
from crosscheck_scenarios.registry import (
    BAD_ROW_PROBLEMS,
    SITE_HEADERS,
    Scenario,
    to_csv,
    with_bad_site_rows,
)

from .conftest import Registry


async def test_reference_scenario_imports_once_then_only_differences(
    registry: Registry, scenario: Scenario
) -> None:
    township = scenario.township_code
    await registry.setup_township(scenario, villages=False)
    before = await registry.event_count()

    dry = await registry.upload(township, scenario.to_xlsx(), dry_run=True)
    assert dry.status_code == 200, dry.text
    assert (len(dry.json()["sites"]["new"]), len(dry.json()["staff"]["new"])) == (68, 49)
    assert await registry.event_count() == before  # a dry run changes nothing

    first = await registry.upload(township, scenario.to_xlsx())
    assert first.status_code == 200, first.text
    report = first.json()
    assert report["applied"] and report["errors"] == []
    declared = sum(1 for row in scenario.staff if row[5] or row[6])
    assert report["events"] == 7 + 68 + 49 + declared
    assert await registry.event_count() == before + report["events"]

    admin = registry.token(township=township)
    sites = await registry.client.get(f"/v1/townships/{township}/sites?limit=500", headers=admin)
    assert sites.json()["total"] == 68
    leaders = await registry.client.get(
        f"/v1/townships/{township}/staff", params={"is_leadership": "true"}, headers=admin
    )
    assert leaders.json()["total"] == scenario.leadership_count >= 8

    again = await registry.upload(township, scenario.to_xlsx())
    assert again.status_code == 200
    assert again.json()["events"] == 0
    assert (again.json()["sites"]["unchanged"], again.json()["staff"]["unchanged"]) == (68, 49)
    assert await registry.event_count() == before + report["events"]

    old_address, old_phone = scenario.sites[0][4], scenario.sites[5][6]
    scenario.sites[0][4] = "维的乡新街8号"
    scenario.sites[5][6] = "13988887777"
    scenario.sites.append(
        ["69", "新开张小卖部", scenario.sites[0][2], "小商店", "新街9号", "王五", ""]
    )
    plain = next(i for i, row in enumerate(scenario.staff) if not row[5] and not row[4])
    scenario.staff[plain][5] = scenario.villages[0][0]
    edited = await registry.upload(township, scenario.to_xlsx())
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["events"] == 4
    assert [e["changes"] for e in body["sites"]["updated"]] == [
        {"地址": {"old": old_address, "new": "维的乡新街8号"}},
        {"联系电话": {"old": mask_phone(phone(old_phone)), "new": "139****7777"}},
    ]
    assert [e["name"] for e in body["sites"]["new"]] == ["新开张小卖部"]
    assert [e["name"] for e in body["staff"]["updated"]] == [scenario.staff[plain][1]]
    rows = await registry.db.fetch("SELECT event_type FROM events ORDER BY position DESC LIMIT 4")
    assert sorted(r["event_type"].rsplit(".", 1)[1] for r in rows) == [
        "SiteRegistered",
        "SiteUpdated",
        "SiteUpdated",
        "StaffConflictDeclared",
    ]


async def test_bad_rows_are_reported_and_imported_only_when_asked(
    registry: Registry, scenario: Scenario
) -> None:
    township = scenario.township_code
    await registry.setup_township(scenario)
    before = await registry.event_count()
    rows, bad_numbers = with_bad_site_rows(scenario)
    data = to_csv(SITE_HEADERS, rows)

    refused = await registry.upload(township, data, content_type="text/csv")
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "import_rejected"
    assert error["message"].startswith("导入文件有 5 处错误")
    problems = error["detail"]["errors"]
    assert [(p["row"], p["column"], p["code"]) for p in problems] == [
        (n, column, key) for n, (column, key) in zip(bad_numbers, BAD_ROW_PROBLEMS, strict=True)
    ]
    assert "不存在村委会" in problems[0]["message"]
    assert "138-1234" in problems[2]["message"]
    assert await registry.event_count() == before  # nothing half-imported

    english = await registry.upload(
        township,
        data,
        content_type="text/csv",
        headers={**registry.token(township=township), "Accept-Language": "en"},
    )
    assert english.json()["error"]["detail"]["errors"][1]["message"].startswith(
        "Unknown place type “大酒店”"
    )

    skipped = await registry.upload(township, data, content_type="text/csv", skip_invalid=True)
    assert skipped.status_code == 200, skipped.text
    assert skipped.json()["applied"] and skipped.json()["invalid_rows"] == 5
    assert skipped.json()["events"] == 68
    assert await registry.event_count() == before + 68


async def test_the_template_filled_in_imports(registry: Registry, scenario: Scenario) -> None:
    """The template's sheets and columns are the import's: the reference scenario written
    under its headers dry-runs clean; only the township admin downloads it."""
    township = scenario.township_code
    await registry.setup_township(scenario, villages=False)
    url = f"/v1/townships/{township}/import/template.xlsx"
    answer = await registry.client.get(url, headers=registry.token(township=township))
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["村委会", "场所", "人员"]
    headers = {name: [str(c.value).lstrip("*") for c in book[name][1]] for name in book.sheetnames}
    assert "*场所名称" in [c.value for c in book["场所"][1]]
    assert book["场所"].max_row == 1  # headers only: nothing a clerk must delete first
    sources = {
        "村委会": (["村委会名称", "村委会代码"], scenario.villages),
        "场所": (SITE_HEADERS, scenario.sites),
        "人员": (
            ["序号", "姓名", "单位", "是否班子成员", "居住村", "回避村", "回避场所"],
            scenario.staff,
        ),
    }
    for name, (columns, rows) in sources.items():
        for row in rows:
            cells = dict(zip(columns, row, strict=True))
            book[name].append([cells.get(h, "") for h in headers[name]])
    out = io.BytesIO()
    book.save(out)
    dry = await registry.upload(township, out.getvalue(), dry_run=True)
    assert dry.status_code == 200, dry.text
    assert dry.json()["errors"] == []
    assert (len(dry.json()["sites"]["new"]), len(dry.json()["staff"]["new"])) == (68, 49)

    refused = await registry.client.get(url, headers=registry.token(Role.INSPECTOR, township))
    assert refused.status_code == 403
