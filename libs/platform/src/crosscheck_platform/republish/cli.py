"""`crosscheck-republish`: publish a service's stored events to its topics again.

    crosscheck-republish SERVICE [--schema S] [--after-position N] [--dry-run]

For a Kafka cluster that lost its topics, or a subscriber that lost what it had read:
every event in SERVICE's event store (registry, rotation, hazards or notify) goes out
again in store order with its original id, key, headers and payload, so consumers
apply each once. Stop every replica of the service first (its relay must not publish
meanwhile; the run is refused otherwise), and start it again afterwards.

The broker, topic namespace and database come from CROSSCHECK_KAFKA_BOOTSTRAP,
CROSSCHECK_TOPIC_NAMESPACE and CROSSCHECK_DATABASE_URL; the schema from --schema,
CROSSCHECK_DB_SCHEMA or the service's name. Missing topics are created as permanent
logs (unless CROSSCHECK_KAFKA_CREATE_TOPICS=false). Progress lines name the last
position sent: --after-position resumes an interrupted run there.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from crosscheck_contracts.events import CATALOGUE
from crosscheck_contracts.topics import Topics
from crosscheck_platform.kafka import TopicRefused, ensure_topics, reliable_producer
from crosscheck_platform.republish.republisher import RelayRunning, Republished, republish
from crosscheck_platform.settings import ServiceSettings

EVENT_STORES = ("registry", "rotation", "hazards", "notify")


def _progress(done: Republished) -> None:
    print(f"  {done.total} event(s) sent, up to position {done.last_position}", flush=True)


async def _run(args: argparse.Namespace, settings: ServiceSettings) -> int:
    schema = args.schema or settings.db_schema or args.service
    topics = Topics(settings.topic_namespace)
    if args.dry_run:
        done = await republish(
            settings.database_url, schema, None, topics, CATALOGUE, after_position=args.after
        )
        verb = "would republish"
    else:
        await ensure_topics(
            settings.kafka_bootstrap,
            topics.all,
            create=settings.kafka_create_topics,
            replication_factor=settings.kafka_replication_factor,
        )
        producer = reliable_producer(settings.kafka_bootstrap)
        await producer.start()
        try:
            done = await republish(
                settings.database_url,
                schema,
                producer,
                topics,
                CATALOGUE,
                after_position=args.after,
                progress=_progress,
            )
        finally:
            await producer.stop()
        verb = "republished"
    print(f"{schema}: {verb} {done.total} event(s), up to position {done.last_position}")
    for topic, count in sorted(done.per_topic.items()):
        print(f"  {topic}: {count}")
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="crosscheck-republish",
        description="Publish a service's stored events to its Kafka topics again.",
    )
    parser.add_argument("service", choices=EVENT_STORES)
    parser.add_argument("--schema", help="the service's schema (default: its name)")
    parser.add_argument(
        "--after-position",
        dest="after",
        type=int,
        default=0,
        help="resume: only events stored after this position",
    )
    parser.add_argument("--dry-run", action="store_true", help="count, publish nothing")
    args = parser.parse_args(argv)
    try:
        code = asyncio.run(_run(args, ServiceSettings()))
    except (RelayRunning, TopicRefused) as exc:
        print(f"crosscheck-republish: {exc}", file=sys.stderr)
        code = 1
    raise SystemExit(code)


if __name__ == "__main__":
    main()
