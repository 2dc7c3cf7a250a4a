"""The township admin's day one through the browser only, at desktop and phone size:
sign in at Keycloak (authorization code + PKCE), the landing page, the inventory
(template download, a workbook with broken rows shows each error by sheet, row and
column and imports nothing; the fixed workbook is checked, then imported), a campaign
launched and scheduled, round 1's plan by name, its 检查安排表 as PDF and XLSX; an
inspector gets the 403 page for the admin's pages; forms without the session's form
token are refused. Screenshots of every page go to artifacts/screenshots/."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser

from crosscheck_scenarios.registry import (
    Scenario,
    reference_scenario,
    with_bad_site_rows,
)

from .console_browser import (
    DESKTOP,
    PHONE,
    context_for,
    register_township,
    shot,
    sign_in,
    submit,
    wait_for_roster,
)
from .console_stack import PUBLIC, ConsoleStack

pytestmark = pytest.mark.infra


def test_township_admin_day_one(stack: ConsoleStack, browser: Browser, tmp_path: Path) -> None:
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
    page.fill("#name", "2025年春季安全生产专项行动")
    page.fill("#starts_on", "2025-03-01")
    page.fill("#ends_on", "2025-06-30")
    page.fill("#rounds", "6")
    page.fill("#groups", "8")
    page.fill("#seed", "2024")
    shot(page, "desktop-06-campaigns-launch")
    submit(page, "发起专项行动")
    page.wait_for_url(f"{PUBLIC}/campaigns/c-*")
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

    submit(page, "退出登录")
    # The console's session cookie is gone; the provider is asked to end its own session
    # (Keycloak confirms that on its page, since the cookie keeps no ID token).
    assert "cc_session" not in {c["name"] for c in context.cookies()}
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
