"""Crosscheck's public event contracts: envelope, Kafka binding, topics and every event.

Outside subscribers need only this package (and pydantic) to read Crosscheck topics:

    from crosscheck_contracts import CATALOGUE, decode
    envelope, event = decode(CATALOGUE, record.headers, record.value)
"""

from __future__ import annotations

from crosscheck_contracts.base import BoundedContext, Event, Payload
from crosscheck_contracts.catalogue import EventCatalogue, UnknownEventType
from crosscheck_contracts.envelope import Envelope, Tenant
from crosscheck_contracts.events import ALL_EVENTS, CATALOGUE
from crosscheck_contracts.kafka import InvalidMessage, decode, encode
from crosscheck_contracts.topics import Topics, dead_letter_topic, topic_name

__all__ = [
    "ALL_EVENTS",
    "CATALOGUE",
    "BoundedContext",
    "Envelope",
    "Event",
    "EventCatalogue",
    "InvalidMessage",
    "Payload",
    "Tenant",
    "Topics",
    "UnknownEventType",
    "dead_letter_topic",
    "decode",
    "encode",
    "topic_name",
]
