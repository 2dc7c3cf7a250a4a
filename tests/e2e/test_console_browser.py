"""Day one of a campaign through the browser only, as one chain, on a township of the
test's own (the demo's figures are not touched). The township admin signs in at
Keycloak (authorization code + PKCE); the inventory (template download, a workbook with
broken rows shows each error by sheet, row and column and imports nothing; the fixed
workbook is checked, then imported); a campaign launched from today and scheduled, round
1's plan by name, its 检查安排表 as PDF and XLSX. Then an inspector of a round-1 group,
on a 390×844 touch phone, records an inspection with one hazard, a photo and the told
person's signature, losing the network half-way: the form waits on the phone and is
sent once when the network returns; the village committee reports the fix; the group's
leader verifies it on site; the admin's landing page figures move (places inspected,
hazards, % rectified). An inspector gets the 403 page for the admin's pages; forms
without the session's form token are refused. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page

from crosscheck_scenarios.registry import (
    Scenario,
    reference_scenario,
    with_bad_site_rows,
)

from .console_browser import (
    DESKTOP,
    PHONE,
    context_for,
    outbox,
    phone_context,
    photo,
    register_township,
    shot,
    sign,
    sign_in,
    submit,
    until_listed,
    wait_for_roster,
    wait_until,
    wait_until_hazards_knows,
)
from .console_stack import PUBLIC, ConsoleStack, Login, add_login

pytestmark = pytest.mark.infra


LOCAL = ZoneInfo("Asia/Shanghai")
AT_THE_DOOR = {"latitude": 26.0512, "longitude": 101.5534, "accuracy": 15}


def test_day_one_through_the_browser(stack: ConsoleStack, browser: Browser, tmp_path: Path) -> None:
    scenario = reference_scenario(township_code=stack.township, township_name="测试乡")
    register_township(stack, scenario)
    context = context_for(browser, viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, stack.logins["township_admin"])
    assert page.locator("h1").inner_text() == "测试乡"
    assert "暂无专项行动数据" in page.inner_text("main")
    shot(page, "desktop-01-landing")

    page.get_by_role("link", name="基础台账").first.click()
    assert "村委会 0 个,场所 0 处" in page.inner_text("main")
    with page.expect_download() as got:
        page.get_by_role("link", name="下载导入模板(XLSX)").click()
    template = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    assert template.sheetnames == ["村委会", "场所", "人员"]
    shot(page, "desktop-02-inventory")

    # A workbook with broken place rows: every error by sheet, row and column; nothing imported.
    rows, bad_rows = with_bad_site_rows(scenario)
    broken = Scenario(**{**scenario.__dict__, "sites": rows})
    (tmp_path / "broken.xlsx").write_bytes(broken.to_xlsx())
    page.set_input_files("#file", str(tmp_path / "broken.xlsx"))
    submit(page, "检查文件(不导入)")
    report = page.locator("#report")
    assert "未导入任何数据" in report.inner_text()
    cells = [r.split("\t") for r in page.locator("table.errors tbody tr").all_inner_texts()]
    assert {int(c[1]) for c in cells if c[0] == "场所"} >= set(bad_rows)
    assert any(c[2] == "联系电话" for c in cells) and any(c[2] == "场所类型" for c in cells)
    assert page.get_by_role("button", name="确认导入 · broken.xlsx").count() == 0
    shot(page, "desktop-03-inventory-errors")

    (tmp_path / "fixed.xlsx").write_bytes(scenario.to_xlsx())
    page.set_input_files("#file", str(tmp_path / "fixed.xlsx"))
    submit(page, "检查文件(不导入)")
    assert "检查通过,可以导入" in report.inner_text()
    assert "村委会 0 个" in page.inner_text("main")  # the check imported nothing
    shot(page, "desktop-04-inventory-checked")
    submit(page, "确认导入 · fixed.xlsx")
    assert "已导入" in report.inner_text()
    assert "村委会 7 个,场所 68 处,检查人员 49 名" in page.inner_text("main")
    shot(page, "desktop-05-inventory-imported")

    wait_for_roster(stack, 68, 49)
    page.get_by_role("link", name="专项行动").first.click()
    assert "还没有专项行动" in page.inner_text("main")
    today = datetime.now(LOCAL).date()
    page.fill("#name", "冬季安全生产专项行动")
    page.fill("#starts_on", today.isoformat())
    page.fill("#ends_on", (today + timedelta(days=27)).isoformat())
    page.fill("#rounds", "4")
    page.fill("#groups", "8")
    page.fill("#seed", "2024")
    shot(page, "desktop-06-campaigns-launch")
    submit(page, "发起专项行动")
    try:
        page.wait_for_url(f"{PUBLIC}/campaigns/c-*", timeout=300_000)
    except Exception:
        shot(page, "desktop-06b-launch-failed")
        raise AssertionError(f"{page.url}: {page.inner_text('body')[:1500]}") from None
    page.wait_for_selector("section[aria-labelledby=groups-title] tbody tr")
    campaign_url = page.url
    groups = page.locator("section[aria-labelledby=groups-title] tbody tr")
    assert groups.count() == 8
    staff_names = {row[1] for row in scenario.staff}
    leader = groups.first.locator("td").first.inner_text()
    assert leader in staff_names  # people by name, never by id
    shot(page, "desktop-07-campaign-launched")

    submit(page, "排定全部轮次")
    page.wait_for_selector("table.plan tbody tr")
    plan = page.locator("table.plan tbody tr")
    assert plan.count() == 8
    site_names = {row[1] for row in scenario.sites}
    first_places = plan.first.locator("ol.places li").all_inner_texts()
    assert first_places and all(p.split(" ")[0] in site_names for p in first_places)
    checks = page.locator("ul.checks li")
    assert checks.count() >= 6 and page.locator("ul.checks li.bad").count() == 0
    shot(page, "desktop-08-campaign-round-1")

    with page.expect_download() as got:
        page.get_by_role("link", name="检查安排表 XLSX").click()
    sheet = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes())).active
    assert sheet is not None
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert "检查安排表" in str(values[0][0]) and values[1][:3] == ["检查组", "组长", "组员"]
    listed = {str(r[5]) for r in values[2:]}
    assert listed <= site_names | {"None"} and len(listed & site_names) == 68
    phones = {str(r[8]) for r in values[2:] if r[8]}
    assert phones and all("*" not in p for p in phones)  # the admin's sheet has full numbers
    with page.expect_download() as got:
        page.get_by_role("link", name="检查安排表 PDF").click()
    assert Path(got.value.path()).read_bytes()[:5] == b"%PDF-"
    assert got.value.suggested_filename.endswith("第1轮检查安排表.pdf")

    page.get_by_role("link", name="专项行动").first.click()
    assert "已排轮次" in page.inner_text("main")
    shot(page, "desktop-09-campaigns-list")

    # A form without the session's form token changes nothing.
    forged = page.evaluate(
        """() => fetch('/logout', {method: 'POST', redirect: 'manual',
            body: new URLSearchParams({csrf: 'forged'})}).then(r => r.status)"""
    )
    assert forged == 400
    still = page.goto(PUBLIC + "/campaigns")
    assert still is not None and still.status == 200  # still signed in

    # The same pages on a phone, same session.
    phone = context_for(
        browser,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        storage_state=context.storage_state(),
    )
    small = phone.new_page()
    for name, url in (("landing", "/"), ("inventory", "/inventory"), ("campaigns", "/campaigns")):
        small.goto(PUBLIC + url)
        shot(small, f"phone-{name}")
    small.goto(campaign_url)
    shot(small, "phone-campaign-round-1")
    assert small.locator("table.plan tbody tr").count() == 8
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, "the page itself must not scroll sideways on a phone"

    # English on request.
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("link", name="Campaigns").count() >= 1
    page.get_by_role("link", name="中文").click()

    campaign_id = campaign_url.rsplit("/", 1)[1]
    _round_one_in_the_field(stack, browser, page, campaign_id, tmp_path)
    _replan_rounds_not_started(stack, page, campaign_id)
    _in_english(page, campaign_id)

    submit(page, "退出登录")
    # The console's session cookie is gone; the provider is asked to end its own session
    # (Keycloak confirms that on its page, since the cookie keeps no ID token).
    assert "cc_session" not in {c["name"] for c in context.cookies()}
    assert page.url.startswith(stack.identity.issuer)
    shot(page, "desktop-14-logout-confirm")
    page.locator("#kc-logout").click()
    page.wait_for_load_state()
    # Signed out at the provider too: the console's pages send the browser to sign in.
    page.goto(PUBLIC + "/campaigns")
    page.locator("#username").wait_for()
    assert page.url.startswith(stack.identity.issuer)
    context.close()
    phone.close()


def test_wrong_role_gets_the_403_page(stack: ConsoleStack, browser: Browser) -> None:
    context = context_for(browser, viewport=PHONE)
    page = context.new_page()
    sign_in(page, stack.logins["inspector"])
    assert "基础台账" not in page.inner_text("header")
    for path in ("/inventory", "/campaigns", "/inventory/template.xlsx"):
        answer = page.goto(PUBLIC + path)
        assert answer is not None and answer.status == 403
        assert "无权访问此页面" in page.inner_text("main")
    shot(page, "phone-inspector-403")
    context.close()


def _figures(page: Page) -> dict[str, str]:
    page.goto(PUBLIC + "/")
    cells = page.locator("[data-figure]")
    return {
        str(cells.nth(n).get_attribute("data-figure")): cells.nth(n).inner_text()
        for n in range(cells.count())
    }


def _until_figures(page: Page, wanted: dict[str, str]) -> None:
    """The landing page reads the ledgers, which follow the hazards service's events."""
    wait_until(lambda: _figures(page).items() >= wanted.items(), seconds=90)


def _round_one(stack: ConsoleStack, campaign_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Round 1's first group (by name) and its first place, with names (the logins of
    the people the chain needs are made at the provider, as its admin does)."""
    token = stack.token(stack.logins["township_admin"])
    base = f"/v1/townships/{stack.township}"
    headers = {"Authorization": f"Bearer {token}"}
    plan = httpx.get(
        f"{stack.urls['rotation']}{base}/campaigns/{campaign_id}", headers=headers, timeout=60
    ).json()
    groups = {g["group_id"]: g for g in plan["groups"]}
    first = min(plan["schedule"][0]["assignments"], key=lambda a: groups[a["group_id"]]["name"])
    site = httpx.get(
        f"{stack.urls['registry']}{base}/sites/{first['site_ids'][0]}", headers=headers
    ).json()
    return groups[first["group_id"]], site


def _staff_name(stack: ConsoleStack, staff_id: str) -> str:
    token = stack.token(stack.logins["township_admin"])
    found = httpx.get(
        f"{stack.urls['registry']}/v1/townships/{stack.township}/staff/{staff_id}",
        headers={"Authorization": f"Bearer {token}"},
    )
    found.raise_for_status()
    return str(found.json()["name"])


def _round_one_in_the_field(
    stack: ConsoleStack, browser: Browser, admin: Page, campaign_id: str, tmp_path: Path
) -> None:
    before = _figures(admin)
    assert before.get("places", "0") == "0" and before.get("hazards", "0") == "0"
    group, site = _round_one(stack, campaign_id)
    member = next(m for m in group["member_ids"] if m != group["leader_id"])
    inspector = add_login(
        stack, "day1-inspector", "inspector", _staff_name(stack, member), staff_id=member
    )
    leader_id = group["leader_id"]
    leader = add_login(
        stack, "day1-leader", "group_leader", _staff_name(stack, leader_id), staff_id=leader_id
    )
    village = add_login(
        stack,
        "day1-village",
        "village_committee",
        site["village_name"],
        village_id=site["village_id"],
    )
    wait_until_hazards_knows(stack, inspector, campaign_id, group, site["id"])
    _inspect_offline_half_way(browser, inspector, site, tmp_path)
    _until_figures(admin, {"places": "1", "hazards": "1", "rectified": "0 %"})
    shot(admin, "desktop-10-landing-inspected")
    _village_reports_the_fix(browser, village, site, tmp_path)
    _leader_verifies(browser, leader, site, tmp_path)
    _until_figures(admin, {"places": "1", "hazards": "1", "rectified": "100 %"})
    shot(admin, "desktop-11-landing-rectified")
    admin.get_by_role("link", name="数据看板").first.click()
    admin.wait_for_selector("[data-chart=village][data-drawn=true] canvas")  # ECharts' own build
    shot(admin, "desktop-12-dashboard-day-one")


def _inspect_offline_half_way(
    browser: Browser, inspector: Login, site: dict[str, Any], tmp_path: Path
) -> None:
    """The inspector's phone records the place: half the checklist with a network, the
    rest without; the form waits and goes once the network is back."""
    context = phone_context(browser, geolocation=AT_THE_DOOR, permissions=["geolocation"])
    page = context.new_page()
    sign_in(page, inspector)
    page.get_by_role("link", name="今日检查").first.click()
    page.get_by_role("link", name=site["name"], exact=True).click()
    page.wait_for_url(f"{PUBLIC}/field/*/1/{site['id']}")
    wait_until(lambda: page.evaluate("!!navigator.serviceWorker.controller"))
    items = page.locator("fieldset.item")
    count = items.count()
    for n in range(1, count // 2):
        items.nth(n).get_by_label("合格", exact=True).tap()
    context.set_offline(True)  # the network drops at the shop's door
    for n in range(count // 2, count):
        items.nth(n).get_by_label("合格", exact=True).tap()
    first = items.nth(0)
    first.get_by_label("不合格(发现隐患)").tap()
    first.get_by_label("隐患等级").select_option("major")
    first.get_by_label("隐患描述").fill("灭火器压力不足,已过有效期")
    first.locator("input[type=file]").set_input_files(str(photo(tmp_path / "day1.jpg")))
    page.locator("#where-0").filter(has_text="位置 26.05120, 101.55340").wait_for()
    sign(page)
    page.get_by_role("button", name="提交检查记录").tap()
    page.locator("#queue .waiting").wait_for()
    assert site["name"] in page.inner_text("#queue")
    shot(page, "phone-day1-queued")
    context.set_offline(False)
    page.locator("#queue .sent").wait_for(timeout=60000)
    assert outbox(page) == []  # sent, and only once: nothing left to send again
    page.locator("#queue .sent a").tap()
    page.wait_for_url(f"{PUBLIC}/field/inspections/*")
    assert "发现隐患 1 处" in page.inner_text("main")
    shot(page, "phone-day1-recorded")
    assert page.locator("ol.hazards > li").count() == 1
    context.close()


def _open_from_list(page: Page, folder: str, site: dict[str, Any]) -> None:
    until_listed(page, f"{PUBLIC}/{folder}", site["name"])
    page.locator("ol.hazard-list li", has_text=site["name"]).get_by_role(
        "link", name=site["name"], exact=True
    ).tap()
    page.wait_for_url(f"{PUBLIC}/{folder}/*")
    wait_until(lambda: page.evaluate("!!navigator.serviceWorker.controller"))


def _village_reports_the_fix(
    browser: Browser, village: Login, site: dict[str, Any], tmp_path: Path
) -> None:
    context = phone_context(browser)
    page = context.new_page()
    sign_in(page, village)
    _open_from_list(page, "followup", site)
    page.get_by_label("整改情况说明").fill("已更换灭火器,压力正常")
    page.locator("#f-photos").set_input_files(str(photo(tmp_path / "day1-fixed.jpg")))
    page.get_by_role("button", name="报告整改完成").tap()
    page.locator("#queue .sent").wait_for(timeout=60000)
    page.locator("#queue .sent a").tap()
    page.wait_for_url(f"{PUBLIC}/followup/*?done=1")
    assert page.locator("dd.state").inner_text() == "已报整改,待复核"
    shot(page, "phone-day1-fix-reported")
    context.close()


def _leader_verifies(browser: Browser, leader: Login, site: dict[str, Any], tmp_path: Path) -> None:
    context = phone_context(browser)
    page = context.new_page()
    sign_in(page, leader)
    _open_from_list(page, "verify", site)
    assert "已更换灭火器,压力正常" in page.inner_text("main")  # the village's note
    page.get_by_label("复核合格,予以销号").check()
    page.locator("#f-photos").set_input_files(str(photo(tmp_path / "day1-checked.jpg")))
    page.get_by_role("button", name="提交复核结果").tap()
    page.locator("#queue .sent").wait_for(timeout=60000)
    page.locator("#queue .sent a").tap()
    page.wait_for_url(f"{PUBLIC}/verify/*?done=1")
    assert page.locator("dd.state").inner_text() == "已复核销号"
    shot(page, "phone-day1-verified")
    context.close()


def _plan(stack: ConsoleStack, campaign_id: str) -> dict[str, Any]:
    token = stack.token(stack.logins["township_admin"])
    found: dict[str, Any] = httpx.get(
        f"{stack.urls['rotation']}/v1/townships/{stack.township}/campaigns/{campaign_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ).json()
    return found


def _replan_rounds_not_started(stack: ConsoleStack, page: Page, campaign_id: str) -> None:
    """A member moved to another group from round 2 (round 1 runs today); moving a
    leader is refused with the people's names and the ways out."""
    plan = _plan(stack, campaign_id)
    groups = sorted(plan["groups"], key=lambda g: g["name"])
    source, target = groups[-1], groups[-2]  # not round 1's group the chain used
    member = next(m for m in source["member_ids"] if m != source["leader_id"])
    name = _staff_name(stack, member)
    page.goto(f"{PUBLIC}/campaigns/{campaign_id}")
    page.get_by_role("link", name="调整检查组(未开始的轮次)").click()
    page.wait_for_url(f"{PUBLIC}/campaigns/{campaign_id}/replan")
    assert page.locator("#f-from_round option").first.inner_text() == "第 2 轮"
    shot(page, "desktop-13-replan")

    page.get_by_label("调一名组员到另一组").check()
    page.select_option("#f-member", value=source["leader_id"])
    page.select_option("#f-to_group", value=target["group_id"])
    page.fill("#f-reason", "带队领导调动")
    submit(page, "调整并重新安排")
    refused = page.locator("section.problems")
    assert "未能调整" in refused.inner_text()
    assert _staff_name(stack, source["leader_id"]) in refused.inner_text()  # by name
    shot(page, "desktop-13b-replan-refused")

    page.get_by_label("调一名组员到另一组").check()
    page.select_option("#f-member", value=member)
    page.select_option("#f-to_group", value=target["group_id"])
    page.fill("#f-reason", "工作调动,改到另一组")
    submit(page, "调整并重新安排")
    page.wait_for_url(f"{PUBLIC}/campaigns/{campaign_id}?round=2&changed=1")
    assert "第 2 轮起已重新安排" in page.inner_text("main")
    row = page.locator("section[aria-labelledby=groups-title] tbody tr", has_text=target["name"])
    assert name in row.inner_text()
    moved = {g["group_id"]: g for g in _plan(stack, campaign_id)["groups"]}
    assert member in moved[target["group_id"]]["member_ids"]


def _in_english(page: Page, campaign_id: str) -> None:
    """The same pages in English, by the switch in the header."""
    page.goto(PUBLIC + "/")
    page.get_by_role("link", name="English").click()
    for name, path in (
        ("landing", "/"),
        ("inventory", "/inventory"),
        ("campaigns", "/campaigns"),
        ("campaign", f"/campaigns/{campaign_id}"),
        ("replan", f"/campaigns/{campaign_id}/replan"),
        ("dashboard", "/dashboard"),
        ("staff", "/staff"),
    ):
        page.goto(PUBLIC + path)
        assert page.locator("html").get_attribute("lang") == "en"
        shot(page, f"desktop-en-{name}")
    page.goto(f"{PUBLIC}/campaigns/{campaign_id}/replan")
    assert page.locator("h1").inner_text() == "Change the groups"
    page.get_by_role("link", name="中文").click()
