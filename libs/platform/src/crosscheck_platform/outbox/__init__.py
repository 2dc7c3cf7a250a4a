from crosscheck_platform.outbox.relay import OutboxRelay

__all__ = ["OutboxRelay"]
