"""Re-publishing a schema's events from its event store, for a cluster that lost its topics."""

from crosscheck_platform.republish.republisher import (
    RelayRunning,
    Republished,
    republish,
)

__all__ = ["RelayRunning", "Republished", "republish"]
