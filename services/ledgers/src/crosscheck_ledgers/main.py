"""`crosscheck-ledgers`: run the ledgers service; `crosscheck-ledgers-rebuild`: rebuild the
projection from the start of every topic (the service may keep running meanwhile)."""

from __future__ import annotations

import asyncio

from crosscheck_contracts import CATALOGUE
from crosscheck_contracts.topics import Topics
from crosscheck_ledgers import bootstrap
from crosscheck_ledgers.app.rebuild import rebuild
from crosscheck_platform.db import Database
from crosscheck_platform.http import run
from crosscheck_platform.kafka import ensure_topics
from crosscheck_platform.logging import configure_logging


def main() -> None:
    settings = bootstrap.settings_from_env()
    configure_logging(bootstrap.SERVICE, settings.log_level)
    run(bootstrap.build_app, settings)


async def _rebuild() -> None:
    settings = bootstrap.settings_from_env()
    topics = Topics(settings.topic_namespace).all
    # A replay of topics that dropped old events would build ledgers that look whole.
    await ensure_topics(
        settings.kafka_bootstrap,
        topics,
        with_dead_letters=False,
        create=False,
        replication_factor=settings.kafka_replication_factor,
    )
    db = await Database.connect(settings.database_url, settings.db_schema or bootstrap.SERVICE)
    try:
        stats = await rebuild(db, settings.kafka_bootstrap, topics, CATALOGUE)
    finally:
        await db.close()
    print(
        f"rebuilt from {stats.events} events ({stats.skipped} unreadable skipped) "
        f"in {stats.seconds:.1f} s: {stats.per_second:,.0f} events/s"
    )


def rebuild_main() -> None:
    asyncio.run(_rebuild())


if __name__ == "__main__":
    main()
