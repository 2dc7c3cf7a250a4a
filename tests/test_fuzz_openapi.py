"""Every service's OpenAPI document, fuzzed over HTTP on the real stack: no answer is a 5xx.

The five services run in this process, each under uvicorn on a loopback port (so real
HTTP parsing sits in front of them), on the real broker and database, sharing one topic
namespace as in production and each in its own schema. The caller is the admin of
township 532327101, which is registered in the registry with a village committee, a
place and a staff member (the other services learn of them from the registry's topic);
`{code}` paths name that township and `{site_id}` / `{staff_id}` the seeded records in
half the cases, so generated values get past the tenancy checks into the handlers and
their queries.

Schemathesis draws cases that fit each operation's schema and cases that break it. Every
answer must be below 500; a case that breaks the schema must be refused with a 4xx
(negative_data_rejection); and the first success of each operation is sent again
without and with a forged token, which must be refused (ignored_auth). Examples are
bounded and derandomised, so CI runs the same cases each time within its time budget;
CROSSCHECK_FUZZ_EXAMPLES raises the count for a deeper local run.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, CheckFunction, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import ignored_auth, negative_data_rejection

from crosscheck_contracts.topics import Topics
from crosscheck_platform.auth import Role
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import ensure_topics
from crosscheck_testing.auth import bearer
from crosscheck_testing.fixtures import TEST_PARTITIONS, new_namespace
from crosscheck_testing.infra import Infra
from crosscheck_testing.issuer import LocalIssuer
from crosscheck_testing.logins import forget_logins
from crosscheck_testing.ports import free_port
from crosscheck_testing.schema import migrate_schema

pytestmark = [
    pytest.mark.infra,
    # Schemathesis draws with `random` inside its strategies; Hypothesis says so on
    # every case.
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

SERVICES = ("registry", "rotation", "hazards", "notify", "ledgers")
# Tokens of this module's own issuer (some are made before any fixture runs).
ISSUER = LocalIssuer()
COUNTY, TOWNSHIP, VILLAGE_CODE = "532327", "532327101", "532327101201"
HEALTH = {"/healthz", "/readyz"}
EXAMPLES = int(os.environ.get("CROSSCHECK_FUZZ_EXAMPLES", "8"))
"""Cases per operation and mode: 8 keeps the module near a minute on two cores."""


@dataclass
class Stack:
    bases: dict[str, str]
    known: dict[str, str]
    """Path parameter values that name seeded records."""
    admin: dict[str, str] = field(
        default_factory=lambda: bearer(
            ISSUER, Role.TOWNSHIP_ADMIN, county=COUNTY, township=TOWNSHIP
        )
    )


class ServedApp:
    """An app under uvicorn in a thread of its own, with its own event loop."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    async def start(self) -> str:
        self.thread.start()
        async with asyncio.timeout(60):
            while not self.server.started:
                if not self.thread.is_alive():
                    raise RuntimeError("the service failed to start")
                await asyncio.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


async def _seed(registry: str, admin: dict[str, str]) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=registry, headers=admin) as client:

        async def created(path: str, body: dict[str, Any], method: str = "POST") -> str:
            response = await client.request(method, path, json=body)
            assert response.status_code == 201, response.text
            return str(response.json()["id"])

        township = f"/v1/townships/{TOWNSHIP}"
        await created(township, {"name": "维的乡", "county_name": "永仁县"}, "PUT")
        village = await created(f"{township}/villages", {"code": VILLAGE_CODE, "name": "大庄村"})
        site = await created(
            f"{township}/sites",
            {
                "name": "老王饭店",
                "village_id": village,
                "site_type": "小餐饮",
                "address": "大庄村12号",
                "responsible_name": "王建国",
            },
        )
        staff = await created(
            f"{township}/staff", {"name": "李明", "unit": "应急办", "home_village_id": village}
        )
    return {"code": TOWNSHIP, "site_id": site, "staff_id": staff}


@pytest.fixture(scope="module")
async def stack(infra: Infra) -> AsyncIterator[Stack]:
    namespace = new_namespace("fz")
    await ensure_topics(infra.kafka_bootstrap, Topics(namespace).all, partitions=TEST_PARTITIONS)
    served: dict[str, ServedApp] = {}
    try:
        for name in SERVICES:
            settings_ = infra.service_settings(namespace, f"{namespace}_{name}").model_copy(
                update={"oidc_issuer": ISSUER.url}
            )
            await migrate_schema(infra, f"{namespace}_{name}", name)
            bootstrap = importlib.import_module(f"crosscheck_{name}.bootstrap")
            served[name] = ServedApp(bootstrap.build_app(settings_))
        bases = dict(
            zip(SERVICES, await asyncio.gather(*(s.start() for s in served.values())), strict=True)
        )
        stack = Stack(bases, {})
        stack.known = await _seed(bases["registry"], stack.admin)
        yield stack
    finally:
        for app in served.values():
            app.stop()
        # The registry's login routes reach the stack's identity provider.
        await forget_logins(infra.identity, TOWNSHIP)
        cleanup = await Database.connect(infra.database_url, namespace, min_size=1, max_size=1)
        for name in SERVICES:
            await cleanup.execute(f"DROP SCHEMA IF EXISTS {namespace}_{name} CASCADE")
        await cleanup.execute(f"DROP SCHEMA IF EXISTS {namespace} CASCADE")
        await cleanup.close()


def _cases(
    operation: Any, mode: GenerationMode, known: dict[str, str]
) -> st.SearchStrategy[Case[Any]]:
    """The operation's cases, with `{code}` the admin's township; in half of them the
    other path parameters that name seeded records do so too."""
    names = {p.name for p in operation.iter_parameters() if p.location == "path"}
    township = {k: v for k, v in known.items() if k == "code" and k in names}
    records = {k: v for k, v in known.items() if k in names}
    strategies = [operation.as_strategy(generation_mode=mode, path_parameters=township or None)]
    if records != township:
        strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=records))
    return st.one_of(strategies)


_UNCONSTRAINING = {"type", "title", "description", "default"}


def _negatable(operation: Any) -> bool:
    """Whether a request can break the schema at all: a plain string parameter takes
    anything, and Hypothesis would search a long time for a case that does not fit."""

    def constrains(parameter: Any) -> bool:
        schema = parameter.definition.get("schema", {})
        return schema.get("type") != "string" or bool(set(schema) - _UNCONSTRAINING)

    parameters = [p for p in operation.iter_parameters() if p.name != "Authorization"]
    return bool(operation.body) or any(constrains(p) for p in parameters)


Checks = Callable[[int], list[CheckFunction]]
"""Which checks to run beyond not_a_server_error, given the answer's status."""


def _check(
    case: Case[Any], base: str, stack: Stack, found: list[str], label: str, more: Checks
) -> None:
    response = case.call(base_url=base, headers=stack.admin, timeout=60)
    checks: list[CheckFunction] = [not_a_server_error, *more(response.status_code)]
    try:
        case.validate_response(response, checks=checks, headers=stack.admin)
    except FailureGroup as failure:
        found.append(f"{label} {case.operation.label}: {failure}")


def _fuzz(
    operation: Any, mode: GenerationMode, base: str, stack: Stack, found: list[str]
) -> list[Case[Any]]:
    """Generated cases, checked; returns those it sent."""
    sent: list[Case[Any]] = []
    probed = False

    def more(status: int) -> list[CheckFunction]:
        nonlocal probed
        if mode is GenerationMode.NEGATIVE:
            return [negative_data_rejection]
        # The probes cost two more requests: once per operation is enough.
        if 200 <= status < 300 and not probed:
            probed = True
            return [ignored_auth]
        return []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_cases(operation, mode, stack.known))
    def run(case: Case[Any]) -> None:
        sent.append(case)
        _check(case, base, stack, found, mode.value, more)

    # Some constraints still leave no room for a case that breaks them.
    with contextlib.suppress(Unsatisfiable):
        run()
    return sent


HUGE = 2**64
"""Past bigint: what a JSON or query integer can hold and PostgreSQL cannot."""


def _hostile(value: Any) -> list[Any]:
    """Values of the same kind that PostgreSQL cannot store."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [HUGE]
    if isinstance(value, str):
        return [f"{value}\x00", str(HUGE)] if value.isdigit() else [f"{value}\x00"]
    return []


def _variants(value: Any) -> list[Any]:
    """`value` with one leaf at a time made hostile (lists: their first item)."""
    if isinstance(value, dict):
        return [
            {**value, key: variant} for key, item in value.items() for variant in _variants(item)
        ]
    if isinstance(value, list) and value:
        return [[variant, *value[1:]] for variant in _variants(value[0])]
    return _hostile(value)


def _absent_query(operation: Any, query: dict[str, Any]) -> dict[str, Any]:
    """A plain value for each free-form query parameter the case left out, so that
    the sweep reaches those too (paging offsets are optional)."""
    plain = {"integer": 0, "number": 0, "string": "x"}
    values = {}
    for parameter in operation.iter_parameters():
        if parameter.location != "query" or parameter.name in query:
            continue
        schema = parameter.definition.get("schema", {})
        for option in [schema, *schema.get("anyOf", [])]:
            if option.get("type") in plain and "enum" not in option:
                values[parameter.name] = plain[option["type"]]
                break
    return values


def _sweep(case: Case[Any], base: str, stack: Stack, found: list[str]) -> None:
    """The case again with each parameter and body field in turn made hostile: a NUL
    in text, a number past bigint. Random drawing finds these only by luck."""
    operation = case.operation
    path = dict(case.path_parameters or {})
    query = dict(case.query or {})
    body = case.body
    structured = isinstance(body, dict | list)
    variants = [(v, query, body) for v in _variants(path)]
    variants += [(path, v, body) for v in _variants(query)]
    variants += [(path, query, v) for v in (_variants(body) if structured else [])]
    # Each left-out query parameter alone, so that no other value is refused first.
    absent = _absent_query(operation, query)
    variants += [
        (path, {**query, name: v}, body) for name, plain in absent.items() for v in _hostile(plain)
    ]
    for path_parameters, query_, body_ in variants:
        hostile = operation.Case(
            path_parameters=path_parameters, query=query_, body=body_, media_type=case.media_type
        )
        _check(hostile, base, stack, found, "hostile", lambda _: [])


@pytest.mark.parametrize("service", SERVICES)
def test_no_generated_request_gets_a_server_error(stack: Stack, service: str) -> None:
    base = stack.bases[service]
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    # Unknown query parameters are ignored by design, not refused; and the token is
    # always sent (ignored_auth checks what happens without it).
    schema.config.generation.update(allow_extra_parameters=False, with_security_parameters=False)
    found: list[str] = []
    operations = [
        result.ok()  # type: ignore[union-attr]
        for result in schema.get_all_operations()
        # Readiness answers 503 by design while a dependency is slow to answer.
        if result.ok().path not in HEALTH  # type: ignore[union-attr]
    ]
    assert operations
    for operation in operations:
        sent = _fuzz(operation, GenerationMode.POSITIVE, base, stack, found)
        if sent:
            _sweep(sent[0], base, stack, found)
        if _negatable(operation):
            _fuzz(operation, GenerationMode.NEGATIVE, base, stack, found)
    assert not found, "\n\n".join(found)
