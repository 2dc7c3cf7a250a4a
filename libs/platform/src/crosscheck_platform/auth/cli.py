"""`crosscheck-token`: mint a bearer token for local use, signed with the secret from
the environment (CROSSCHECK_JWT_SECRET), exactly as the services will verify it."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Sequence
from datetime import timedelta

from pydantic import ValidationError

from crosscheck_platform.auth.principal import Principal, Role
from crosscheck_platform.auth.tokens import mint_token
from crosscheck_platform.settings import ServiceSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crosscheck-token", description="Print a signed Crosscheck bearer token."
    )
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--county", required=True, help="county code, e.g. 532327")
    parser.add_argument("--township", help="township code; omit for county roles")
    parser.add_argument("--village", help="village committee id (village_committee)")
    parser.add_argument("--staff", help="staff id in the registry (inspectors)")
    parser.add_argument("--subject", help="user id (default: a fresh random id)")
    parser.add_argument("--name", help="display name (default: the user id)")
    parser.add_argument("--ttl-hours", type=float, default=12.0)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.ttl_hours <= 0:
        parser.error("--ttl-hours must be positive")
    subject = args.subject or f"user-{uuid.uuid4().hex[:12]}"
    try:
        principal = Principal(
            subject=subject,
            name=args.name or subject,
            role=Role(args.role),
            county=args.county,
            township=args.township,
            village_id=args.village,
            staff_id=args.staff,
        )
    except ValidationError as exc:
        parser.error("; ".join(str(e["msg"]) for e in exc.errors()))
    settings = ServiceSettings()
    print(mint_token(settings, principal, timedelta(hours=args.ttl_hours)))


if __name__ == "__main__":
    main()
