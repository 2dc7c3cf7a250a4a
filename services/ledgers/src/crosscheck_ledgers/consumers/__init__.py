"""Kafka consumers of the ledgers service (the projections)."""

from __future__ import annotations

from crosscheck_platform.http import RuntimePart


def consumers() -> list[RuntimePart]:
    return []
