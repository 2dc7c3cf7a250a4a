"""What the console's browser tests do alike: contexts at desktop and phone size,
screenshots, signing in at the provider, and the township set up over the APIs."""

from __future__ import annotations

import time
from typing import Any

import httpx
from playwright.sync_api import Browser, BrowserContext, Page

from crosscheck_scenarios.registry import Scenario

from .console_stack import PUBLIC, SCREENSHOTS, ConsoleStack, Login

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def context_for(browser: Browser, **options: Any) -> BrowserContext:
    return browser.new_context(locale="zh-CN", accept_downloads=True, **options)


def phone_context(browser: Browser, **options: Any) -> BrowserContext:
    return context_for(browser, viewport=PHONE, is_mobile=True, has_touch=True, **options)


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def submit(page: Page, button: str) -> None:
    """Press a form's button and wait for the page the server answers with (launching a
    campaign forms its groups first: slow on a loaded machine)."""
    with page.expect_navigation(timeout=120_000):
        page.get_by_role("button", name=button).click()


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
