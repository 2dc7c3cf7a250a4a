"""Kafka for every service: the bootstrap list, the clients, and the event topics as
the permanent log (created and checked at start-up)."""

from crosscheck_platform.kafka.bootstrap import BadBootstrap, bootstrap_servers
from crosscheck_platform.kafka.clients import admin_client, reliable_producer
from crosscheck_platform.kafka.policy import PERMANENT_LOG, Replication, TopicRefused
from crosscheck_platform.kafka.topics import delete_topics_under, ensure_topics

__all__ = [
    "PERMANENT_LOG",
    "BadBootstrap",
    "Replication",
    "TopicRefused",
    "admin_client",
    "bootstrap_servers",
    "delete_topics_under",
    "ensure_topics",
    "reliable_producer",
]
