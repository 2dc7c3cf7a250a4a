"""What leaders read, through the browser, after the reference campaign (the demo's
driver, through the public APIs) has run on a stack of its own: 维的乡's admin sees the
campaign's 68 places inspected, 164 hazards and 97 % rectified on the landing page and
the dashboard, with the figures by village, group, round and category as charts and
tables (by name), and downloads the three ledgers; the county viewer sees every township
side by side and opens one; an inspector gets the 403 page. Desktop and phone size,
screenshots in artifacts/screenshots/."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page

from crosscheck_demo.driver import DemoSettings, Endpoints, Outcomes, run
from crosscheck_demo.logins import PASSWORD
from crosscheck_platform.identity import IdentityProvider, RealmRole, UserSpec
from crosscheck_platform.identity.local import LocalAccounts
from crosscheck_scenarios.registry import reference_scenario
from crosscheck_testing.fixtures import new_namespace
from crosscheck_testing.infra import IdentityInfra, Infra
from crosscheck_testing.ports import free_port

from .console_browser import DESKTOP, PHONE, context_for, shot, sign_in
from .console_stack import PUBLIC, SERVICES, ConsoleStack, Login, console_stack

pytestmark = pytest.mark.infra

ADMIN = Login("weide-admin", PASSWORD, "township_admin")
COUNTY = Login("yongren-county", PASSWORD, "county_viewer")


async def _campaign(identity: IdentityInfra, urls: dict[str, str], state: Path) -> Outcomes:
    """The reference campaign, then the demo's two logins made directly (as `crosscheck-demo`
    makes them): 维的乡's admin and 永仁县's viewer."""
    async with IdentityProvider(identity.settings) as provider:
        settings = DemoSettings(
            tokens=LocalAccounts(provider, environment="test"),
            endpoints=Endpoints(**{name: urls[name] for name in SERVICES}),
            state_dir=state,
            timeout_s=180,
        )
        outcome = await run(settings)
        for spec in (
            UserSpec(
                username=ADMIN.username,
                role=RealmRole.TOWNSHIP_ADMIN,
                display_name="维的乡安全办",
                county=outcome.county,
                township=outcome.township,
            ),
            UserSpec(
                username=COUNTY.username,
                role=RealmRole.COUNTY_VIEWER,
                display_name="永仁县应急管理局",
                county=outcome.county,
            ),
        ):
            user = await provider.save_user(spec)
            await provider.set_password(user.id, PASSWORD, temporary=False)
    return outcome


@pytest.fixture(scope="module")
def stack(
    infra: Infra, identity: IdentityInfra, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleStack]:
    """The stack with a mail server, since the demo waits for its overdue notice to be
    mailed."""
    logs = tmp_path_factory.mktemp("console-logs")
    smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("CROSSCHECK_NOTIFY_SMTP_HOST", "127.0.0.1")
            env.setenv("CROSSCHECK_NOTIFY_SMTP_PORT", str(smtp.port))
            env.setenv("CROSSCHECK_NOTIFY_POLL_INTERVAL_S", "0.2")
            with console_stack(infra, identity, new_namespace("leaders"), logs) as running:
                outcome = asyncio.run(_campaign(identity, running.urls, logs / "demo"))
                assert outcome.figures["hazards"] == 164
                yield running
    finally:
        smtp.stop()


def figures(page: Page) -> tuple[str, str, str]:
    return (
        page.inner_text("[data-figure=places]"),
        page.inner_text("[data-figure=hazards]"),
        page.inner_text("[data-figure=rectified]"),
    )


def fits_a_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, "the page itself must not scroll sideways on a phone"


def test_township_leaders_read_the_campaign(stack: ConsoleStack, browser: Browser) -> None:
    scenario = reference_scenario()
    context = context_for(browser, viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, ADMIN)
    assert page.locator("h1").inner_text() == "维的乡"
    assert figures(page) == ("68", "164", "97 %")
    shot(page, "desktop-10-leader-landing")

    page.get_by_role("link", name="数据看板").first.click()
    page.wait_for_selector("[data-chart=village][data-drawn=true] canvas")
    assert "维的乡" in page.locator("h1").inner_text()
    assert figures(page) == ("68", "164", "97 %")
    assert page.inner_text("[data-figure=overdue]") == "1"
    villages = page.locator("table[data-by=village] tbody th").all_inner_texts()
    assert sorted(villages) == sorted(v[0] for v in scenario.villages)  # by name
    places = page.locator("table[data-by=village] tbody tr td:nth-child(2)").all_inner_texts()
    assert sum(int(p) for p in places) == 68
    groups = page.locator("table[data-by=group] tbody th").all_inner_texts()
    assert len(groups) == 8 and all(not g.startswith("g-") for g in groups)
    rounds = page.locator("table[data-by=round] tbody th").all_inner_texts()
    assert rounds == ["第 1 轮", "第 2 轮"]
    found = page.locator("table[data-by=category] tbody tr td:nth-child(2)").all_inner_texts()
    assert sum(int(n) for n in found) == 164
    for by in ("group", "round", "category"):
        assert page.locator(f"[data-chart={by}][data-drawn=true] canvas").count() == 1
    shot(page, "desktop-11-leader-dashboard")

    # Drill down: the village with the overdue hazard, its hazards by name, overdue first.
    late = page.locator("table[data-by=village] tbody tr").filter(has=page.locator("td.warn"))
    assert late.count() == 1
    village = late.locator("th").inner_text()
    count = late.locator("td").nth(1).inner_text()
    late.get_by_role("link", name=village).click()
    assert page.locator("h1").inner_text() == f"{village}:隐患清单"
    assert f"共 {count} 条隐患" in page.inner_text("main")
    listed = page.locator("table.hazards tbody tr")
    assert listed.count() == int(count)
    assert listed.first.get_attribute("class") == "overdue"
    assert "已逾期" in listed.first.inner_text()
    site_names = {row[1] for row in scenario.sites}
    shown = listed.locator("th").evaluate_all(
        "rows => rows.map(r => r.firstChild.textContent.trim())"
    )
    assert set(shown) <= site_names  # places by name
    shot(page, "desktop-12-leader-hazards")
    hazards_url = page.url
    page.get_by_role("link", name="返回数据看板").click()
    page.wait_for_selector("[data-chart=village][data-drawn=true] canvas")

    with page.expect_download() as got:
        page.get_by_role("link", name="三本台账(XLSX,一表一页)").click()
    workbook = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    assert len(workbook.sheetnames) >= 3
    assert got.value.suggested_filename == "三本台账.xlsx"
    with page.expect_download() as got:
        page.get_by_role("link", name="隐患清单(CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(got.value.path()).read_text("utf-8-sig"))))
    assert len([r for r in rows[1:] if r]) >= 164
    for name in ("底数清单(CSV)", "责任清单(CSV)"):
        with page.expect_download() as got:
            page.get_by_role("link", name=name).click()
        assert Path(got.value.path()).read_bytes()[:3] == b"\xef\xbb\xbf"

    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", name="By village").count() == 1
    assert page.inner_text("[data-figure=rectified]") == "97 %"
    page.get_by_role("link", name="中文").click()

    phone = context_for(
        browser,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        storage_state=context.storage_state(),
    )
    small = phone.new_page()
    small.goto(PUBLIC + "/dashboard")
    small.wait_for_selector("[data-chart=category][data-drawn=true] canvas")
    assert figures(small) == ("68", "164", "97 %")
    fits_a_phone(small)
    shot(small, "phone-leader-dashboard")
    small.goto(PUBLIC + "/")
    shot(small, "phone-leader-landing")
    small.goto(hazards_url)
    fits_a_phone(small)
    shot(small, "phone-leader-hazards")
    phone.close()
    context.close()


def test_the_county_sees_every_township(stack: ConsoleStack, browser: Browser) -> None:
    context = context_for(browser, viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, COUNTY)
    row = page.locator("tbody tr", has_text="维的乡")
    assert row.count() == 1
    assert row.locator("td").all_inner_texts()[:3] == ["68", "164", "97 %"]
    shot(page, "desktop-13-county-landing")

    page.goto(PUBLIC + "/dashboard")
    page.wait_for_selector("[data-chart=township][data-drawn=true] canvas")
    assert "永仁县" in page.locator("h1").inner_text()
    township = page.locator("table[data-by=township] tbody tr", has_text="维的乡")
    assert township.locator("td").all_inner_texts()[:4] == ["68", "164", "159", "97 %"]
    shot(page, "desktop-14-county-dashboard")

    township.get_by_role("link", name="维的乡").click()
    page.wait_for_selector("[data-chart=village][data-drawn=true] canvas")
    assert "维的乡" in page.locator("h1").inner_text()
    assert figures(page) == ("68", "164", "97 %")
    shot(page, "desktop-15-county-township")

    phone = context_for(
        browser,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        storage_state=context.storage_state(),
    )
    small = phone.new_page()
    small.goto(PUBLIC + "/dashboard")
    small.wait_for_selector("[data-chart=township][data-drawn=true] canvas")
    fits_a_phone(small)
    shot(small, "phone-county-dashboard")
    phone.close()
    context.close()


def test_an_inspector_has_no_dashboard(stack: ConsoleStack, browser: Browser) -> None:
    context = context_for(browser, viewport=PHONE)
    page = context.new_page()
    sign_in(page, stack.logins["inspector"])
    for path in ("/dashboard", "/dashboard/hazards.csv", "/staff"):
        answer = page.goto(PUBLIC + path)
        assert answer is not None and answer.status == 403
    context.close()


def test_the_admin_reads_the_staff_roster(stack: ConsoleStack, browser: Browser) -> None:
    scenario = reference_scenario()
    context = context_for(browser, viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, ADMIN)
    page.get_by_role("link", name="检查人员").first.click()
    main = page.inner_text("main")
    assert "在册 49 名,其中班子成员 9 名,有回避申报 7 名" in main
    assert page.get_attribute("#propagation", "data-caught-up") == "true"
    assert "排班已同步:人员 49 名,场所 68 处" in main
    rows = page.locator("table.roster tbody tr")
    assert rows.count() == 49
    names = rows.locator("th").all_inner_texts()
    assert sorted(names) == sorted(r[1] for r in scenario.staff)  # by name
    leaders = {row[1] for row in scenario.staff if row[3] == "是"}
    assert set(names[:9]) == leaders  # the leadership first
    zou = rows.filter(has_text="邹发").locator("td").all_inner_texts()
    assert zou[2] == "旧村村委会"
    assert zou[3] == "中和村委会、小河村委会、廖家木器加工坊"
    shot(page, "desktop-16-staff-roster")

    # The logins only on request: the registry asks the identity provider for each.
    assert page.get_by_role("columnheader", name="登录账号").count() == 0
    page.get_by_role("link", name="显示登录账号(需向统一身份认证逐一查询,稍慢)").click()
    assert page.get_by_role("columnheader", name="登录账号").count() == 1
    given = page.locator("table.roster tbody tr td:nth-child(6)").all_inner_texts()
    assert len(given) == 49
    # The demo signed each group's leader in with a login of the provider.
    assert sum("检查组组长" in login for login in given) >= 8

    phone = context_for(
        browser,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        storage_state=context.storage_state(),
    )
    small = phone.new_page()
    small.goto(PUBLIC + "/staff")
    fits_a_phone(small)
    shot(small, "phone-staff-roster")
    phone.close()
    context.close()
