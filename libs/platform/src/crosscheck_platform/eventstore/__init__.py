"""Event store: one stream per aggregate, optimistic concurrency on the stream version."""

from crosscheck_platform.eventstore.aggregate import Aggregate
from crosscheck_platform.eventstore.batch import StreamAppend, TableRows
from crosscheck_platform.eventstore.recorder import (
    AtomicWrite,
    CommandContext,
    ConcurrencyConflict,
    EventStore,
    RecordedOutcome,
    StoredEvent,
)

__all__ = [
    "Aggregate",
    "AtomicWrite",
    "CommandContext",
    "ConcurrencyConflict",
    "EventStore",
    "RecordedOutcome",
    "StoredEvent",
    "StreamAppend",
    "TableRows",
]
