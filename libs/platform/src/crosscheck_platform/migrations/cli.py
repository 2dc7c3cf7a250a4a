"""crosscheck-migrate: bring every service's schema (or the ones named) to the last
step of its migrations; run by `./crosscheck up`, by the tests' set-up and by the
deployment's migration Job, before the services start.

    crosscheck-migrate                      every service, each in its own schema
    crosscheck-migrate hazards --schema x   one service in schema x
    crosscheck-migrate --check              say what is missing; exit 1 if anything is

The database URL is CROSSCHECK_MIGRATION_DATABASE_URL if set (the role that owns the
schemas and may change them), else CROSSCHECK_DATABASE_URL. With --runtime-role (or
CROSSCHECK_DB_RUNTIME_ROLE) that role is granted the use of the rows, not DDL; with
--create-runtime-role it is made first if missing (a login role with no attribute
beyond it: the local stack's way; in production the database operator declares it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys

import asyncpg

from crosscheck_platform.db import checked_identifier
from crosscheck_platform.migrations.runner import SERVICES, missing_steps, upgrade

DEFAULT_URL = "postgresql://postgres@127.0.0.1:55432/crosscheck"


def _url() -> str:
    return (
        os.environ.get("CROSSCHECK_MIGRATION_DATABASE_URL")
        or os.environ.get("CROSSCHECK_DATABASE_URL")
        or DEFAULT_URL
    )


async def _create_role(url: str, role: str) -> None:
    role = checked_identifier(role)
    conn = await asyncpg.connect(url)
    try:
        if not await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role
        ):
            with contextlib.suppress(asyncpg.DuplicateObjectError):  # made meanwhile
                await conn.execute(
                    f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"
                )
    finally:
        await conn.close()


async def _check(url: str, targets: list[tuple[str, str]]) -> int:
    conn = await asyncpg.connect(url)
    missing = 0
    try:
        for service, schema in targets:
            problems = await missing_steps(conn, schema, service)
            for problem in problems:
                print(f"{schema}: {problem}")
            if not problems:
                print(f"{schema}: up to date")
            missing += len(problems)
    finally:
        await conn.close()
    return 1 if missing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crosscheck-migrate", description=__doc__.split("\n")[0])
    parser.add_argument("services", nargs="*", choices=[[], *SERVICES], metavar="SERVICE")
    parser.add_argument("--schema", help="the schema of the one service named (default: its name)")
    parser.add_argument(
        "--runtime-role",
        default=os.environ.get("CROSSCHECK_DB_RUNTIME_ROLE") or None,
        help="the role the services connect as: granted the rows' use, no DDL",
    )
    parser.add_argument(
        "--create-runtime-role",
        action="store_true",
        help="make the runtime role (a plain login role) if it does not exist",
    )
    parser.add_argument("--check", action="store_true", help="change nothing, say what is missing")
    args = parser.parse_args(argv)
    services = list(args.services) or list(SERVICES)
    if args.schema and len(services) != 1:
        parser.error("--schema goes with exactly one service")
    schema_of_one = args.schema or os.environ.get("CROSSCHECK_DB_SCHEMA")
    targets = [(s, schema_of_one if schema_of_one and len(services) == 1 else s) for s in services]
    url = _url()
    if args.check:
        return asyncio.run(_check(url, targets))
    if args.create_runtime_role:
        if not args.runtime_role:
            parser.error("--create-runtime-role needs --runtime-role")
        asyncio.run(_create_role(url, args.runtime_role))
    for service, schema in targets:
        try:
            for applied in upgrade(url, schema, service, runtime_role=args.runtime_role):
                print(applied, flush=True)
        except Exception as exc:
            print(f"crosscheck-migrate: {schema}: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
