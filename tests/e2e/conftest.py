"""The console's browser tests share these: each test module gets its own services and
console on the real stack, and Chromium reaching that console at 127.0.0.1:8106."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from crosscheck_testing.fixtures import new_namespace
from crosscheck_testing.infra import IdentityInfra, Infra

from .console_stack import CHROMIUM, ConsoleStack, console_stack
from .forwarding_proxy import forwarding_proxy


@pytest.fixture(scope="module")
def stack(
    infra: Infra, identity: IdentityInfra, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleStack]:
    logs = tmp_path_factory.mktemp("console-logs")
    with console_stack(infra, identity, new_namespace("console"), logs) as running:
        yield running


@pytest.fixture(scope="module")
def browser(stack: ConsoleStack) -> Iterator[Browser]:
    """Chromium through a proxy that sends 127.0.0.1:8106 (the address Keycloak's console
    client allows) to the test's console; loopback goes through the proxy too."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install chromium fonts-noto-cjk", pytrace=False)
    mapping = {("127.0.0.1", 8106): ("127.0.0.1", stack.console_port)}
    with forwarding_proxy(mapping) as proxy, sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--proxy-bypass-list=<-loopback>"],
            proxy={"server": proxy},
        )
        yield launched
        launched.close()
