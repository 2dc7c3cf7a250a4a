"""Which failures mean "the database or the broker is away for now", not "a bug".

While PostgreSQL restarts, fails over or refuses connections, and while Kafka has no
leader for a partition, a request fails through no fault of its own or of ours: the
answer is 503 with Retry-After, which clients and load balancers retry, never 500.
"""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
from aiokafka import errors as kafka_errors

RETRY_AFTER_SECONDS = 5

_POSTGRES = (
    asyncpg.PostgresConnectionError,  # class 08: connection lost, refused, rejected
    asyncpg.OperatorInterventionError,  # class 57: shutting down, starting up, cancelled
    asyncpg.TooManyConnectionsError,
    asyncpg.TransactionRollbackError,  # serialization failure, deadlock: retry succeeds
)
_KAFKA = (
    kafka_errors.KafkaConnectionError,
    kafka_errors.KafkaTimeoutError,
    kafka_errors.KafkaUnavailableError,
    kafka_errors.NoBrokersAvailable,
)
# OSError covers refused and reset connections and unresolvable hosts; these
# subclasses are about files, where a retry finds the same thing.
_LOCAL_FILE_ERRORS = (
    FileNotFoundError,
    FileExistsError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
)
# asyncpg says so only in the message when the pool or a connection was closed under us.
_CLOSED_MARKERS = ("is closed", "is closing")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what it was raised from or during, and a group's members."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend(c for c in (current.__cause__, current.__context__) if c is not None)


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, (*_POSTGRES, *_KAFKA, TimeoutError)):
        return True
    if isinstance(exc, kafka_errors.KafkaError):
        return bool(getattr(exc, "retriable", False))
    if isinstance(exc, asyncpg.InterfaceError):
        return any(marker in str(exc) for marker in _CLOSED_MARKERS)
    return isinstance(exc, OSError) and not isinstance(exc, _LOCAL_FILE_ERRORS)


def is_transient(exc: BaseException) -> bool:
    """True when `exc`, or an error it came from, is an infrastructure failure that a
    retry in a few seconds may not meet."""
    return any(_transient(cause) for cause in _causes(exc))
