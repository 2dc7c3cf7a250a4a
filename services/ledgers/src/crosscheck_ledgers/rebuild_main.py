"""`crosscheck-ledgers-rebuild`: rebuild the projection from the start of every topic
(the service may keep running meanwhile)."""

from __future__ import annotations

import asyncio

from prometheus_client import CollectorRegistry, start_http_server
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from crosscheck_contracts import CATALOGUE
from crosscheck_contracts.topics import Topics
from crosscheck_ledgers import bootstrap
from crosscheck_ledgers.app.progress import RebuildProgress
from crosscheck_ledgers.app.rebuild import rebuild
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import ensure_topics


class RebuildSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CROSSCHECK_LEDGERS_REBUILD_", extra="ignore")

    # Where the rebuild's Job serves its progress for Prometheus while it runs (off: 0).
    metrics_port: int = Field(default=0, ge=0, le=65535)


async def _rebuild() -> None:
    settings = bootstrap.settings_from_env()
    own = RebuildSettings()
    progress = None
    if own.metrics_port:
        registry = CollectorRegistry()
        progress = RebuildProgress(registry)
        start_http_server(own.metrics_port, addr=settings.http_host, registry=registry)
    topics = Topics(settings.topic_namespace).all
    # A replay of topics that dropped old events would build ledgers that look whole.
    await ensure_topics(
        settings.kafka_bootstrap,
        topics,
        with_dead_letters=False,
        create=False,
        replication_factor=settings.kafka_replication_factor,
    )
    db = await Database.connect(
        settings.database_url, settings.db_schema or bootstrap.SERVICE, create_schema=False
    )
    try:
        stats = await rebuild(db, settings.kafka_bootstrap, topics, CATALOGUE, progress=progress)
    finally:
        await db.close()
    print(
        f"rebuilt from {stats.events} events ({stats.skipped} unreadable skipped) "
        f"in {stats.seconds:.1f} s: {stats.per_second:,.0f} events/s"
    )


def main() -> None:
    asyncio.run(_rebuild())


if __name__ == "__main__":
    main()
