"""`crosscheck-consumers`: the Kafka consumer groups of a service's schema.

    crosscheck-consumers list SERVICE [--schema S]
    crosscheck-consumers rewind SERVICE [--schema S]

`rewind` is the last step of restoring a schema from a backup (see deploy/README.md,
"Backup and restore"): with the service stopped, its groups are set back to the start
of their topics, so the consumers apply exactly what the restored schema lacks. The
broker comes from CROSSCHECK_KAFKA_BOOTSTRAP; the schema from --schema,
CROSSCHECK_DB_SCHEMA or the service's name.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from crosscheck_platform.consumer.groups import GroupActive, rewind_group, schema_groups
from crosscheck_platform.settings import ServiceSettings


async def _run(args: argparse.Namespace, settings: ServiceSettings) -> int:
    schema = args.schema or settings.db_schema or args.service
    bootstrap = settings.kafka_bootstrap
    groups = await schema_groups(bootstrap, schema)
    if not groups:
        print(f"{schema}: no consumer group on the brokers at {bootstrap}")
        return 0
    for group in groups:
        if args.command == "list":
            print(group)
            continue
        offsets = await rewind_group(bootstrap, group)
        topics = sorted({tp.topic for tp in offsets})
        print(f"{group}: set to the start of {len(offsets)} partition(s) of {', '.join(topics)}")
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="crosscheck-consumers",
        description="List or rewind the Kafka consumer groups of a service's schema.",
    )
    parser.add_argument("command", choices=("list", "rewind"))
    parser.add_argument("service", help="registry, rotation, hazards, notify or ledgers")
    parser.add_argument("--schema", help="the service's schema (default: its name)")
    args = parser.parse_args(argv)
    try:
        code = asyncio.run(_run(args, ServiceSettings()))
    except GroupActive as exc:
        print(f"crosscheck-consumers: {exc}", file=sys.stderr)
        code = 1
    raise SystemExit(code)


if __name__ == "__main__":
    main()
