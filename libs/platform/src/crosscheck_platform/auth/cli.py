"""`crosscheck-token`: an access token of the local identity provider for a role, for
scripts and local calls.

    uv run crosscheck-token --role township_admin --county 532327 --township 532327102

It makes (or updates) a development login for that role and scope on the local stack's
provider and signs in with it (see crosscheck_platform.identity.local); the provider and
its client come from the environment or, when unset there, from the stack's env file.
Refused when CROSSCHECK_ENVIRONMENT is production.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from collections.abc import Mapping, Sequence

from pydantic import ValidationError

from crosscheck_platform.auth.principal import Principal, Role
from crosscheck_platform.i18n import translate
from crosscheck_platform.identity.errors import IdentityError
from crosscheck_platform.identity.local import (
    LocalAccounts,
    LocalAccountsRefused,
    settings_from,
    stack_environment,
)
from crosscheck_platform.identity.provider import IdentityProvider


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crosscheck-token",
        description="Print an access token of the local identity provider for a role.",
    )
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--county", required=True, help="county code, e.g. 532327")
    parser.add_argument("--township", help="township code; omit for county roles")
    parser.add_argument("--village", help="village committee id (village_committee)")
    parser.add_argument("--staff", help="staff id in the registry (inspectors)")
    parser.add_argument("--username", help="login name (default: one per role and scope)")
    parser.add_argument("--name", help="display name (default: the role)")
    return parser


async def _token(principal: Principal, environment: Mapping[str, str]) -> str:
    async with IdentityProvider(settings_from(environment)) as provider:
        accounts = LocalAccounts(
            provider, environment=environment.get("CROSSCHECK_ENVIRONMENT", "development")
        )
        return await accounts.token(principal)


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    role = Role(args.role)
    try:
        principal = Principal(
            subject=args.username or f"user-{uuid.uuid4().hex[:12]}",
            name=args.name or role.value,
            username=args.username,
            role=role,
            county=args.county,
            township=args.township,
            village_id=args.village,
            staff_id=args.staff,
        )
    except ValidationError as exc:
        parser.error("; ".join(str(e["msg"]) for e in exc.errors()))
    try:
        print(asyncio.run(_token(principal, stack_environment())))
    except LocalAccountsRefused as exc:
        raise SystemExit(f"crosscheck-token: {exc}") from None
    except IdentityError as exc:
        said = translate(exc.key, "en", **exc.params)
        raise SystemExit(f"crosscheck-token: {said} ({exc.provider_error})") from None


if __name__ == "__main__":
    main()
