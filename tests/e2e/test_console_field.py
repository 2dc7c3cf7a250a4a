"""The inspector on a phone, through the browser only: today's places of their group in
the current round, by name; a place's checklist form whose every field is checked (in
the page and again by the server); an inspection with a major hazard, a photo from the
camera input, a deadline and the persons told and responsible, filled with the network
off: it waits in the browser (IndexedDB), survives a reload served by the service
worker, and is sent once when the network returns. The hazards service then holds the
one hazard, told and assigned; the same form sent again (same key) records nothing new.
Screenshots at phone and desktop size go to artifacts/screenshots/."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page

from crosscheck_scenarios.registry import reference_scenario

from .console_browser import (
    DESKTOP,
    context_for,
    outbox,
    phone_context,
    photo,
    register_township,
    shot,
    sign,
    sign_in,
    until_listed,
    wait_for_roster,
    wait_until,
    wait_until_hazards_knows,
)
from .console_stack import PUBLIC, ConsoleStack, Login, add_login

pytestmark = pytest.mark.infra

LOCAL = ZoneInfo("Asia/Shanghai")
AT_THE_DOOR = {"latitude": 26.0512, "longitude": 101.5534, "accuracy": 12}


@dataclass(frozen=True)
class Township:
    campaign_id: str
    group: dict[str, Any]
    site_ids: list[str]
    sites: dict[str, dict[str, Any]]
    staff: dict[str, str]
    inspector: Login
    inspector_name: str
    plan: dict[str, Any]


def _api(stack: ConsoleStack, token: str, service: str) -> httpx.Client:
    return httpx.Client(
        base_url=stack.urls[service], headers={"Authorization": f"Bearer {token}"}, timeout=180
    )


def _today() -> date:
    return datetime.now(LOCAL).date()


@pytest.fixture(scope="module")
def township(stack: ConsoleStack) -> Iterator[Township]:
    """The reference inventory imported and a campaign whose first round runs today,
    over the APIs; a login for a member (not the leader) of a group with places today."""
    scenario = reference_scenario(township_code=stack.township, township_name="测试乡")
    register_township(stack, scenario)
    token = stack.token(stack.logins["township_admin"])
    base = f"/v1/townships/{stack.township}"
    with _api(stack, token, "registry") as registry, _api(stack, token, "rotation") as rotation:
        imported = registry.post(
            f"{base}/import",
            params={"dry_run": "false"},
            content=scenario.to_xlsx(),
            headers={
                "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            },
        )
        assert imported.status_code == 200, imported.text
        wait_for_roster(stack, 68, 49)
        today = _today()
        launched = rotation.post(
            f"{base}/campaigns",
            json={
                "name": "冬季安全生产互查",
                "starts_on": today.isoformat(),
                "ends_on": (today + timedelta(days=27)).isoformat(),
                "rounds": 4,
                "groups": 8,
                "seed": 2024,
            },
        )
        assert launched.status_code in (200, 201, 202), launched.text
        campaign_id = launched.json()["campaign_id"]
        scheduled = rotation.post(f"{base}/campaigns/{campaign_id}/schedule", json={})
        assert scheduled.status_code in (200, 201, 202), scheduled.text
        plan = rotation.get(f"{base}/campaigns/{campaign_id}").json()
        staff = {s["id"]: s["name"] for s in registry.get(f"{base}/staff").json()["items"]}
        sites = {
            s["id"]: s for s in registry.get(f"{base}/sites", params={"limit": 500}).json()["items"]
        }
    first = plan["schedule"][0]["assignments"]
    groups = {g["group_id"]: g for g in plan["groups"]}
    assignment = min(first, key=lambda a: groups[a["group_id"]]["name"])
    group = groups[assignment["group_id"]]
    member = next(m for m in group["member_ids"] if m != group["leader_id"])
    inspector = add_login(stack, "field-inspector", "inspector", staff[member], staff_id=member)
    yield Township(
        campaign_id,
        group,
        list(assignment["site_ids"]),
        sites,
        staff,
        inspector,
        staff[member],
        plan,
    )


def _send_again(page: Page, record: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = page.evaluate(
        """async (record) => {
            const data = new FormData();
            for (const [name, value] of record.entries) {
                if (typeof value === 'string') { data.append(name, value); continue; }
                const bytes = Uint8Array.from(atob(value.b64), (c) => c.charCodeAt(0));
                data.append(name, new Blob([bytes], {type: value.type}), 'photo.jpg');
            }
            const r = await fetch(record.url, {method: 'POST', body: data,
                headers: {Accept: 'application/json'}});
            return {status: r.status, body: await r.json()};
        }""",
        record,
    )
    return answer


def test_inspector_records_offline_on_a_phone(
    stack: ConsoleStack, browser: Browser, township: Township, tmp_path: Path
) -> None:
    town = township
    started = datetime.now(UTC).replace(microsecond=0)
    # The phone lets the page read its position (at the shop's door).
    context = phone_context(browser, geolocation=AT_THE_DOOR, permissions=["geolocation"])
    page = context.new_page()
    sign_in(page, town.inspector)
    assert town.inspector_name in page.inner_text("header")
    page.get_by_role("link", name="今日检查").first.click()
    page.wait_for_url(PUBLIC + "/field")
    assert page.locator("h1").inner_text().startswith("今日检查任务")
    duty = page.locator("section.duty")
    assert duty.count() == 1
    assert town.group["name"] in duty.inner_text()
    assert town.staff[town.group["leader_id"]] in duty.inner_text()  # the leader by name
    listed = page.locator("ol.visits li a").all_inner_texts()
    assert listed == [town.sites[s]["name"] for s in town.site_ids]  # places by name
    shot(page, "phone-field-01-today")

    site_id = town.site_ids[0]
    site = town.sites[site_id]
    place_url = f"{PUBLIC}/field/{town.campaign_id}/1/{site_id}"
    # The service worker keeps today's places, so that each opens without a network.
    wait_until(lambda: page.evaluate("async (url) => !!(await caches.match(url))", place_url))

    page.get_by_role("link", name=site["name"], exact=True).click()
    page.wait_for_url(place_url)
    assert page.locator("h1").inner_text() == site["name"]
    assert site["address"] in page.inner_text("main")
    assert page.evaluate("!!navigator.serviceWorker.controller")  # the worker serves it
    items = page.locator("fieldset.item")
    count = items.count()
    assert count >= 3
    shot(page, "phone-field-02-place")

    # Nothing chosen: each item says what is missing, in the page, nothing is kept.
    page.get_by_role("button", name="提交检查记录").click()
    assert page.locator("#err-result_0").inner_text() == "第 1 项:请选择合格或不合格"
    assert page.locator(".summary-errors").is_visible()
    assert outbox(page) == []
    shot(page, "phone-field-03-errors")

    # The server checks the same fields again (a form sent without the page's script).
    refused = page.evaluate(
        """async () => {
            const form = new FormData(document.getElementById('inspection'));
            form.set('key', 'k-server-check-0001');
            form.set('result_0', 'fail');
            form.set('description_0', '   ');
            form.set('deadline_0', '2000-01-01');
            form.set('told_person', '');
            const r = await fetch(location.pathname, {method: 'POST', body: form,
                headers: {Accept: 'application/json'}});
            return {status: r.status, body: await r.json()};
        }"""
    )
    assert refused["status"] == 422
    errors = refused["body"]["errors"]
    assert errors["result_1"] == "第 2 项:请选择合格或不合格"
    assert errors["description_0"] == "第 1 项:请描述发现的隐患"
    assert errors["deadline_0"] == "整改期限不能早于今天"
    assert errors["told_person"] == "发现隐患时须填写被告知人姓名"

    wait_until_hazards_knows(stack, town.inspector, town.campaign_id, town.group, site_id)

    # The network drops at the door of the shop; the inspection is filled in anyway.
    context.set_offline(True)
    for n in range(1, count):
        items.nth(n).get_by_label("合格", exact=True).check()
    first = items.nth(0)
    first.get_by_label("不合格(发现隐患)").check()
    first.get_by_label("隐患等级").select_option("major")
    first.get_by_label("隐患描述").fill("灭火器压力不足,已过有效期")
    first.locator("input[type=file]").set_input_files(str(photo(tmp_path / "photo.jpg")))
    # The photo's time and the phone's position, shown under it, go with it.
    where = page.locator("#where-0")
    where.filter(has_text="位置 26.05120, 101.55340").wait_for()
    assert "拍摄" in where.inner_text()
    assert page.locator("[name=lat_0]").input_value() == "26.051200"
    deadline = _today() + timedelta(days=10)
    first.get_by_label("整改期限").fill(deadline.isoformat())
    page.get_by_label("被告知人姓名").fill(site["responsible_name"])
    assert page.get_by_label("整改责任人").input_value() == site["responsible_name"]
    # 当场告知 is signed on the phone: not yet, so the page asks for it.
    page.get_by_role("button", name="提交检查记录").click()
    signature_error = "发现隐患时须由被告知人签名,或勾选拒绝签名"
    assert page.locator("#err-signature").inner_text() == signature_error
    assert outbox(page) == []
    sign(page)
    assert page.locator("#signature-hint").inner_text() == "已签名"
    assert page.locator("#err-signature").inner_text() == ""  # put right: not shown any more
    shot(page, "phone-field-03b-signed")
    page.get_by_role("button", name="提交检查记录").click()
    queue = page.locator("#queue")
    queue.locator(".waiting").wait_for()
    assert "1 条记录等待发送" in queue.inner_text()
    assert site["name"] in queue.inner_text()
    shot(page, "phone-field-04-queued")

    # Still offline: the page opens again from the service worker, the record is kept.
    page.reload()
    assert page.locator("h1").inner_text() == site["name"]
    page.locator("#queue .waiting").wait_for()
    assert page.locator("#inspection").is_hidden()  # not offered twice
    waiting = outbox(page)
    assert len(waiting) == 1 and waiting[0]["state"] == "waiting"
    photos = [v for name, v in waiting[0]["entries"] if name == "photo_0"]
    assert len(photos) == 1
    [signature] = [v for name, v in waiting[0]["entries"] if name == "signature"]
    assert signature["type"] == "image/png"

    # The network returns: the record goes by itself, once.
    context.set_offline(False)
    page.locator("#queue .sent").wait_for(timeout=30000)
    assert outbox(page) == []
    shot(page, "phone-field-05-sent")

    page.locator("#queue .sent a").click()
    page.wait_for_url(f"{PUBLIC}/field/inspections/*")
    inspection_id = page.url.rsplit("/", 1)[1]
    main = page.inner_text("main")
    assert "发现隐患 1 处" in main and "重大隐患" in main
    assert site["responsible_name"] in main and deadline.isoformat() in main
    assert "限期整改中" in main
    assert "位置 26.05120, 101.55340 (手机定位)" in main  # beside the photo
    shot(page, "phone-field-06-recorded")
    notice = page.evaluate(
        """async (url) => { const r = await fetch(url);
            return [r.status, new TextDecoder().decode((await r.arrayBuffer()).slice(0, 5))]; }""",
        f"/field/inspections/{inspection_id}/notice.pdf",
    )
    assert notice == [200, "%PDF-"]

    # The same form again, same key: the answer is the first one, nothing new recorded.
    again = _send_again(page, waiting[0])
    assert again["status"] == 200 and again["body"]["replayed"] is True
    assert again["body"]["inspection_id"] == inspection_id

    token = stack.token(stack.logins["township_admin"])
    with _api(stack, token, "hazards") as hazards:
        found = hazards.get(f"/v1/inspections/{inspection_id}/hazards").json()
    assert len(found) == 1
    hazard = found[0]
    assert hazard["severity"] == "major" and hazard["state"] == "rectifying"
    assert hazard["description"] == "灭火器压力不足,已过有效期"
    assert hazard["responsible_person_name"] == site["responsible_name"]
    photo_id, signature_id = hazard["evidence_ids"]  # the photo, then the signature
    with _api(stack, token, "hazards") as hazards:
        taken = hazards.get(f"/v1/evidence/{photo_id}/capture").json()
        steps = hazards.get(f"/v1/hazards/{hazard['hazard_id']}/history").json()["steps"]
        drawn = hazards.get(f"/v1/evidence/{signature_id}")
    told = next(s for s in steps if s["step"] == "HazardNotified")["changes"]
    assert told["signed"] is True and told["told_person_name"] == site["responsible_name"]
    assert drawn.headers["content-type"] == "image/png"
    ink = Image.open(io.BytesIO(drawn.content)).convert("L")
    assert min(ink.tobytes()) < 64  # strokes on white: something was drawn
    assert taken["location"] == {"lat": AT_THE_DOOR["latitude"], "lon": AT_THE_DOOR["longitude"]}
    assert taken["position_source"] == "device" and taken["time_source"] == "device"
    assert started <= datetime.fromisoformat(taken["taken_at"]) <= datetime.now(UTC)
    assert datetime.fromisoformat(hazard["deadline"]).astimezone(LOCAL).date() == deadline

    # A desktop browser shows the same pages.
    desktop = context_for(browser, viewport=DESKTOP, storage_state=context.storage_state())
    wide = desktop.new_page()
    wide.goto(PUBLIC + "/field")
    shot(wide, "desktop-field-today")
    wide.goto(f"{PUBLIC}/field/{town.campaign_id}/1/{town.site_ids[1]}")
    # This browser may not read the position: the page says so, the photo still goes.
    wide.locator("fieldset.item").nth(0).get_by_label("不合格(发现隐患)").check()
    wide.locator("#f-photo_0").set_input_files(str(photo(tmp_path / "desk.jpg")))
    wide.locator("#where-0").filter(has_text="未取得位置:本页未获准使用位置").wait_for()
    shot(wide, "desktop-field-place")
    wide.goto(PUBLIC + f"/field/inspections/{inspection_id}")
    shot(wide, "desktop-field-recorded")
    desktop.close()
    context.close()


def _record_over_api(stack: ConsoleStack, town: Township, site_id: str) -> str:
    """An inspection of the second place with one major hazard, told and given a
    deadline, recorded over the hazards API by the inspector; its hazard id."""
    wait_until_hazards_knows(stack, town.inspector, town.campaign_id, town.group, site_id)
    token = stack.token(town.inspector)
    site = town.sites[site_id]
    with _api(stack, token, "hazards") as hazards:
        items = hazards.get(f"/v1/checklists/{site['site_type']}").json()["items"]
        answers: list[dict[str, Any]] = [{"item_id": i["item_id"], "passed": True} for i in items]
        answers[0] = {
            "item_id": items[0]["item_id"],
            "passed": False,
            "severity": "major",
            "description": "配电箱无漏电保护,线路裸露",
        }
        recorded = hazards.post(
            "/v1/inspections",
            json={
                "campaign_id": town.campaign_id,
                "round_no": 1,
                "site_id": site_id,
                "group_id": town.group["group_id"],
                "present_staff_ids": town.group["member_ids"],
                "answers": answers,
            },
        )
        assert recorded.status_code == 201, recorded.text
        hazard_id: str = recorded.json()["hazards"][0]["hazard_id"]
        told = hazards.post(
            f"/v1/hazards/{hazard_id}/notify",
            json={"told_person_name": site["responsible_name"], "signed": True},
        )
        assert told.status_code == 200, told.text
        assigned = hazards.post(
            f"/v1/hazards/{hazard_id}/assign",
            json={"responsible_person_name": site["responsible_name"]},
        )
        assert assigned.status_code == 200, assigned.text
    return hazard_id


def _not_eligible_member(town: Township, site_id: str) -> str:
    """A member of a group that neither found the hazard (round 1) nor enters the
    place's zone in a later round: the hazards service refuses their re-check."""
    rounds = town.plan["schedule"]
    zone = next(a["zone_id"] for a in rounds[0]["assignments"] if site_id in a["site_ids"])
    later = {a["group_id"] for r in rounds[1:] for a in r["assignments"] if a["zone_id"] == zone}
    allowed = later | {town.group["group_id"]}
    members_allowed = {
        m for g in town.plan["groups"] if g["group_id"] in allowed for m in g["member_ids"]
    }
    for g in town.plan["groups"]:
        for m in g["member_ids"]:
            if m not in members_allowed:
                return str(m)
    raise AssertionError("every member may re-check this place")


def test_village_reports_the_fix_and_the_group_rechecks_it(
    stack: ConsoleStack, browser: Browser, township: Township, tmp_path: Path
) -> None:
    town = township
    site_id = town.site_ids[1]
    site = town.sites[site_id]
    hazard_id = _record_over_api(stack, town, site_id)
    fixed = str(photo(tmp_path / "fixed.jpg"))

    # The village committee: its open hazards by place and person, then the fix reported.
    village = add_login(
        stack,
        "field-village",
        "village_committee",
        site["village_name"],
        village_id=site["village_id"],
    )
    context = phone_context(browser)
    page = context.new_page()
    sign_in(page, village)
    for path in ("/field", "/verify", f"/verify/{hazard_id}"):  # not a village's pages
        answer = page.goto(PUBLIC + path)
        assert answer is not None and answer.status == 403
    page.goto(PUBLIC + "/")
    page.get_by_role("link", name="跟踪督办").first.click()
    until_listed(page, PUBLIC + "/followup", site["name"])
    card = page.locator("ol.hazard-list li", has_text=site["name"])
    assert "配电箱无漏电保护,线路裸露" in card.inner_text()
    assert site["responsible_name"] in card.inner_text()  # the responsible person by name
    assert "重大隐患" in card.inner_text() and "限期整改中" in card.inner_text()
    shot(page, "phone-followup-list")
    card.get_by_role("link", name=site["name"], exact=True).click()
    page.wait_for_url(f"{PUBLIC}/followup/{hazard_id}")
    page.get_by_role("button", name="报告整改完成").click()
    assert page.locator("#err-note").inner_text() == "请说明整改情况"
    assert outbox(page) == []
    # The worker keeps the page; the network drops while the fix is reported.
    wait_until(lambda: page.evaluate("!!navigator.serviceWorker.controller"))
    context.set_offline(True)
    page.get_by_label("整改情况说明").fill("已加装漏电保护器,线路穿管")
    page.locator("#f-photos").set_input_files(fixed)
    page.get_by_role("button", name="报告整改完成").click()
    page.locator("#queue .waiting").wait_for()
    assert "1 条记录等待发送" in page.inner_text("#queue")
    page.reload()  # still offline: from the worker, the report still waiting
    page.locator("#queue .waiting").wait_for()
    assert page.locator("#act").is_hidden()
    shot(page, "phone-followup-queued")
    context.set_offline(False)
    page.locator("#queue .sent").wait_for(timeout=30000)
    assert outbox(page) == []
    page.locator("#queue .sent a").click()
    page.wait_for_url(f"{PUBLIC}/followup/{hazard_id}?done=1")
    assert "已报告整改完成" in page.inner_text("main")
    assert page.locator("dd.state").inner_text() == "已报整改,待复核"
    assert page.locator(".steps img").count() == 1  # the fix's photo, shown by the console
    shot(page, "phone-followup-reported")
    context.close()

    # A member of a group that may not re-check this place is told why, in Chinese.
    outsider_id = _not_eligible_member(town, site_id)
    outsider = add_login(
        stack, "field-outsider", "inspector", town.staff[outsider_id], staff_id=outsider_id
    )
    context = phone_context(browser)
    page = context.new_page()
    sign_in(page, outsider)
    page.get_by_role("link", name="现场复核").first.click()
    until_listed(page, PUBLIC + "/verify", site["name"])
    shot(page, "phone-verify-list")
    page.goto(f"{PUBLIC}/verify/{hazard_id}")
    page.get_by_label("复核不合格,退回重新整改").check()
    page.get_by_role("button", name="提交复核结果").click()
    assert page.locator("#err-note").inner_text() == "复核不合格须写明原因"
    page.get_by_label("复核合格,予以销号").check()
    page.get_by_role("button", name="提交复核结果").click()
    assert page.locator("#err-photos").inner_text() == "重大隐患复核合格须附至少一张现场照片"
    page.get_by_label("复核合格,予以销号").check()
    page.locator("#f-photos").set_input_files(fixed)
    page.get_by_role("button", name="提交复核结果").click()
    refused = page.locator("#queue .failed")
    refused.wait_for(timeout=30000)
    assert "复核须由发现该隐患的检查组成员" in refused.inner_text()
    shot(page, "phone-verify-refused")
    refused.get_by_role("button", name="删除此记录").click()
    page.locator("#act").wait_for()  # offered again
    assert outbox(page) == []
    context.close()

    # The inspector of the group that found it re-checks it on site, with no network:
    # the result waits on the phone and is sent once when the network returns; the
    # photo carries the phone's position (the township's presence rule reads it).
    context = phone_context(browser, geolocation=AT_THE_DOOR, permissions=["geolocation"])
    page = context.new_page()
    sign_in(page, town.inspector)
    until_listed(page, PUBLIC + "/verify", site["name"])
    page.goto(f"{PUBLIC}/verify/{hazard_id}")
    assert "已加装漏电保护器,线路穿管" in page.inner_text("main")  # the village's note
    # The worker is installed and active for this folder (the queue itself lives in
    # IndexedDB). Whether it already claimed this first-visited page varies in Chromium
    # (2 of 3 runs not within 30 s), so the page's being controlled is not asserted here.
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => !!r.active)")
    context.set_offline(True)
    page.get_by_label("复核合格,予以销号").check()
    page.get_by_label("复核说明(不合格时必填原因)").fill("现场复核合格")
    page.locator("#f-photos").set_input_files(str(photo(tmp_path / "recheck.jpg")))
    page.locator("#where-photos").filter(has_text="位置 26.05120, 101.55340").wait_for()
    page.get_by_role("button", name="提交复核结果").click()
    page.locator("#queue .waiting").wait_for()
    shot(page, "phone-verify-queued")
    context.set_offline(False)
    page.locator("#queue .sent").wait_for(timeout=30000)
    page.locator("#queue .sent a").click()
    page.wait_for_url(f"{PUBLIC}/verify/{hazard_id}?done=1")
    assert "复核合格,隐患已销号" in page.inner_text("main")
    assert page.locator("dd.state").inner_text() == "已复核销号"
    shot(page, "phone-verify-closed")
    context.close()
    token = stack.token(stack.logins["township_admin"])
    with _api(stack, token, "hazards") as hazards:
        assert hazards.get(f"/v1/hazards/{hazard_id}").json()["state"] == "verified"
        steps = hazards.get(f"/v1/hazards/{hazard_id}/history").json()["steps"]
        [checked] = [s for s in steps if s["step"] == "RectificationVerified"]
        where = hazards.get(checked["evidence"][0]["url"] + "/capture").json()
    assert where["location"] == {"lat": AT_THE_DOOR["latitude"], "lon": AT_THE_DOOR["longitude"]}
    done = [s["step"] for s in steps if s["step"].startswith("Rectification")]
    assert done.count("RectificationReported") == 1  # each sent once
    assert done.count("RectificationVerified") == 1
