"""`crosscheck-demo`: run the reference campaign against running services and print
what it came to and where to look."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from crosscheck_contracts.events.hazards import CATEGORY_LABELS
from crosscheck_demo.driver import SERVICES, DemoFailed, DemoSettings, Endpoints, Outcomes, run
from crosscheck_demo.logins import PASSWORD, DemoLogin, DemoLoginsRefused, provision
from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.identity import IdentityError, IdentityProvider
from crosscheck_platform.identity.local import (
    LocalAccounts,
    LocalAccountsRefused,
    settings_from,
    stack_environment,
)

ASYNCAPI = Path("contracts/schemas/asyncapi.json")


def summary(outcome: Outcomes, endpoints: Endpoints, mailbox: Path | None) -> str:
    f = outcome.figures
    percent = f["rectification_percent"]
    rules = all(
        c.service_held and c.service_agrees_with_recorded and not c.problems
        for c in outcome.round_checks
    )
    lines = [
        "",
        f"维的乡 reference campaign {outcome.campaign_id}"
        + (" (already run; figures read again)" if outcome.resumed else ""),
        f"  places inspected  {f['places_inspected']}   ({f['inspections']} inspections "
        f"in {len(outcome.round_checks)} rounds; recusal rules "
        + ("hold on every round" if rules else "BROKEN, see the round checks")
        + ")",
        f"  hazards found     {f['hazards']}   ({f['major']} major)",
        f"  verified          {f['verified']}   rectified {percent} %",
        f"  open              {f['open']}   overdue {f['overdue']}",
    ]
    if outcome.hazards_by_category:
        lines.append(
            "  by category       "
            + ", ".join(
                f"{CATEGORY_LABELS.get(k, (k,))[0]} {n}"
                for k, n in outcome.hazards_by_category.items()
            )
        )
    lines += [
        "",
        "Where to look:",
        "  console   http://127.0.0.1:8106/ (sign in with a login below)",
    ]
    lines += [f"  {name:<9} {endpoints.of(name)}/docs" for name in SERVICES]
    lines.append(f"  AsyncAPI  {ASYNCAPI}")
    lines.append(
        f"  ledgers   {endpoints.ledgers}/v1/exports/ledgers.xlsx?campaign_id="
        f"{outcome.campaign_id}, saved as {outcome.xlsx}"
    )
    lines.append(
        "  token     uv run crosscheck-token --role township_admin "
        f"--county {outcome.county} --township {outcome.township}"
    )
    if outcome.overdue_hazard_id:
        sent = [n for n in outcome.overdue_notices if n["kind"] == "overdue"]
        states = ", ".join(
            f"{n['recipient']['role']} {n['channel']} {n['state']}" for n in sent if n["recipient"]
        )
        lines.append(
            f"  overdue   hazard {outcome.overdue_hazard_id}: {states}; "
            f"{endpoints.notify}/v1/townships/{outcome.township}/notices"
            f"?hazard_id={outcome.overdue_hazard_id}"
        )
        if mailbox is not None:
            lines.append(f"  mail      {mailbox}/new (one file per message)")
    if outcome.status_link:
        lines.append(
            f"  status    {outcome.status_link} (the QR code on the notice of hazard "
            f"{outcome.overdue_hazard_id}; no sign-in, ?lang=en in English)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="crosscheck-demo", description=__doc__)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--state-dir", type=Path, default=Path("deploy/.state/demo"))
    parser.add_argument("--mailbox", type=Path, default=None)
    parser.add_argument("--timeout", type=float, default=120.0)
    for name, port in zip(SERVICES, range(8101, 8106), strict=True):
        parser.add_argument(f"--{name}-port", type=int, default=port)
    args = parser.parse_args(argv)
    endpoints = Endpoints.on_ports({name: getattr(args, f"{name}_port") for name in SERVICES})
    try:
        outcome, logins = asyncio.run(_campaign_and_logins(args, endpoints))
    except (DemoFailed, DemoLoginsRefused, LocalAccountsRefused) as failure:
        print(f"crosscheck-demo: {failure}", file=sys.stderr)
        raise SystemExit(1) from None
    except IdentityError as failure:
        print(f"crosscheck-demo: the identity provider: {failure}", file=sys.stderr)
        raise SystemExit(1) from None
    print(summary(outcome, endpoints, args.mailbox))
    print(logins_summary(logins))


async def _campaign_and_logins(
    args: argparse.Namespace, endpoints: Endpoints
) -> tuple[Outcomes, list[DemoLogin]]:
    environment = stack_environment()
    stage = environment.get("CROSSCHECK_ENVIRONMENT", "development")
    async with IdentityProvider(settings_from(environment)) as provider:
        accounts = LocalAccounts(provider, environment=stage)
        settings = DemoSettings(
            tokens=accounts,
            endpoints=endpoints,
            state_dir=args.state_dir,
            seed=args.seed,
            timeout_s=args.timeout,
            progress=lambda line: print(f"crosscheck-demo: {line}", file=sys.stderr, flush=True),
        )
        outcome = await run(settings)
        admin = await accounts.token(admin_principal(outcome))
        logins = await provision(provider, endpoints, outcome, admin, environment=stage)
    return outcome, logins


def admin_principal(outcome: Outcomes) -> Principal:
    return Principal(
        subject="demo-admin",
        name="演示用户",
        role=Role.TOWNSHIP_ADMIN,
        county=outcome.county,
        township=outcome.township,
    )


def logins_summary(logins: list[DemoLogin]) -> str:
    lines = ["", f"Demo logins (local only; password {PASSWORD}):"]
    lines += [f"  {login.username:<16} {login.who}" for login in logins]
    return "\n".join(lines)
