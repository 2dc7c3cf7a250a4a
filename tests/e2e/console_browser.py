"""What the console's browser tests do alike: contexts at desktop and phone size,
screenshots, signing in at the provider, and the township set up over the APIs."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page

from crosscheck_scenarios.registry import Scenario

from .console_stack import PUBLIC, SCREENSHOTS, ConsoleStack, Login

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def context_for(browser: Browser, **options: Any) -> BrowserContext:
    # A township's phone: Chinese, on China's clock (the page shows a photo's local time).
    options.setdefault("timezone_id", "Asia/Shanghai")
    context = browser.new_context(locale="zh-CN", accept_downloads=True, **options)
    # Six services and the console share two loaded cores with the browser: a page may
    # take longer than Playwright's 30 s default to load.
    context.set_default_timeout(90_000)
    return context


def phone_context(browser: Browser, **options: Any) -> BrowserContext:
    return context_for(browser, viewport=PHONE, is_mobile=True, has_touch=True, **options)


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def submit(page: Page, button: str) -> None:
    """Press a form's button and wait for the page the server answers with (launching a
    campaign forms its groups first: slow on a loaded machine)."""
    with page.expect_navigation(timeout=300_000):
        # The navigation's own timeout governs, not the click's (30 s on a loaded machine).
        page.get_by_role("button", name=button).click(no_wait_after=True)


def sign_in(page: Page, login: Login) -> None:
    page.goto(PUBLIC + "/")
    page.get_by_role("link", name="登录", exact=True).click()
    page.fill("#username", login.username)
    page.fill("#password", login.password)
    page.click("#kc-login")
    page.wait_for_url(PUBLIC + "/")


def register_township(stack: ConsoleStack, scenario: Scenario) -> None:
    token = stack.token(stack.logins["township_admin"])
    answer = httpx.put(
        f"{stack.urls['registry']}/v1/townships/{stack.township}",
        json={"name": scenario.township_name, "county_name": scenario.county_name},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code in (200, 201, 202), answer.text


def wait_for_roster(stack: ConsoleStack, sites: int, staff: int) -> None:
    """The rotation learns the roster from the registry's events (Kafka)."""
    token = stack.token(stack.logins["township_admin"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        known = httpx.get(
            f"{stack.urls['rotation']}/v1/townships/{stack.township}/roster",
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        if (known["sites"], known["staff"]) == (sites, staff):
            return
        time.sleep(0.3)
    raise AssertionError(f"the rotation knows {known}")


def wait_until(check: Callable[[], object], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.3)


def photo(path: Path) -> Path:
    """A photo of its own (evidence is stored by content: the same bytes are the same
    photo, uploaded when they first were)."""
    image = Image.new("RGB", (640, 480), (200, 60, sum(path.name.encode()) % 256))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    path.write_bytes(out.getvalue())
    return path


def outbox(page: Page) -> list[dict[str, Any]]:
    """What waits in the browser's outbox (IndexedDB), files as base64."""
    result: list[dict[str, Any]] = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open('crosscheck-field', 1);
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
                const get = open.result.transaction('outbox').objectStore('outbox').getAll();
                get.onsuccess = async () => {
                    const out = [];
                    for (const r of get.result) {
                        const entries = [];
                        for (const [name, value] of r.entries) {
                            if (value instanceof Blob) {
                                const bytes = new Uint8Array(await value.arrayBuffer());
                                let text = '';
                                for (const b of bytes) text += String.fromCharCode(b);
                                entries.push([name, {b64: btoa(text), type: value.type}]);
                            } else entries.push([name, value]);
                        }
                        out.push({key: r.key, url: r.url, state: r.state, entries});
                    }
                    resolve(out);
                };
            };
        })"""
    )
    return result


def sign(page: Page) -> None:
    """A signature drawn on the pad with the mouse: a zigzag across its middle."""
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.6)
    page.mouse.down()
    for n in range(1, 9):
        page.mouse.move(x + w * (0.1 + n * 0.1), y + h * (0.3 if n % 2 else 0.7), steps=4)
    page.mouse.up()


def until_listed(page: Page, url: str, text: str) -> None:
    """The lists are the ledgers', which follow the hazards service's events."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page.goto(url)
        if text in page.inner_text("main"):
            return
        time.sleep(1)
    raise AssertionError(f"{text} never listed on {url}")


def wait_until_hazards_knows(
    stack: ConsoleStack, login: Login, campaign_id: str, group: dict[str, Any], site_id: str
) -> None:
    """The hazards service learns places and plans from the registry's and the
    rotation's events: a probe that names an unknown checklist item is refused for that
    item only once it knows the place, the round and the group."""
    token = stack.token(login)
    probe = {
        "campaign_id": campaign_id,
        "round_no": 1,
        "site_id": site_id,
        "group_id": group["group_id"],
        "present_staff_ids": [group["leader_id"]],
        "answers": [{"item_id": "no.such.item", "passed": True}],
    }
    deadline = time.monotonic() + 60
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=stack.urls["hazards"], headers=headers, timeout=180) as hazards:
        while time.monotonic() < deadline:
            answer = hazards.post("/v1/inspections", json=probe)
            if answer.json().get("error", {}).get("detail") == {"items": "no.such.item"}:
                return
            time.sleep(0.5)
    raise AssertionError(f"the hazards service does not know the round: {answer.text}")
