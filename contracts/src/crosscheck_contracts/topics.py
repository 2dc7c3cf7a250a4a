"""Topic names and message keys.

One topic per bounded context; the key is the aggregate id so that order holds per
aggregate. A namespace prefix lets tests (and staging stacks) share one broker.
"""

from __future__ import annotations

from dataclasses import dataclass

from crosscheck_contracts.base import BoundedContext

TOPIC_VERSION = "v1"
PARTITIONS = 6
DEAD_LETTER_SUFFIX = ".dlq"


def topic_name(context: BoundedContext, namespace: str = "") -> str:
    base = f"crosscheck.{context.value}.{TOPIC_VERSION}"
    return f"{namespace}.{base}" if namespace else base


def dead_letter_topic(topic: str) -> str:
    return topic + DEAD_LETTER_SUFFIX


@dataclass(frozen=True)
class Topics:
    """The topics of one deployment (or one test), resolved under its namespace."""

    namespace: str = ""

    def of(self, context: BoundedContext) -> str:
        return topic_name(context, self.namespace)

    @property
    def all(self) -> list[str]:
        return [self.of(c) for c in BoundedContext]
