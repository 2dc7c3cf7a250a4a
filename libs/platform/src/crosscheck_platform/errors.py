"""Errors the domain raises and the edge (HTTP) turns into answers.

The domain imports this module and nothing from FastAPI: an error names its stable code
and a message key, and says what kind of refusal it is by its base class (a broken rule,
a state that forbids the command, something unknown, not permitted, unavailable for now).
Which HTTP status each kind answers is decided at the edge (`http.statuses`); the words
live in the i18n catalogue, so one error reads in Chinese or English depending on who asked.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a client is meant to see.

    Subclasses set `code` (stable, machine-readable) and `message_key`; keyword
    arguments fill the message template and are returned as the detail.
    """

    code: ClassVar[str] = "rule_violation"
    message_key: ClassVar[str] = "rule_violation"

    def __init__(self, message_key: str | None = None, /, **params: Any) -> None:
        self.key = message_key or self.message_key
        self.params = params
        # Seconds after which the same request may succeed (a transient refusal).
        self.retry_after: int | None = None
        super().__init__(f"{self.code}: {self.key} {params}")


class RuleViolation(DomainError):
    """The command breaks a business rule (e.g. an inspector inspecting their own village)."""

    code = "rule_violation"
    message_key = "rule_violation"


class StateConflict(DomainError):
    """The aggregate is in a state that does not allow the command (e.g. verify twice)."""

    code = "state_conflict"
    message_key = "state_conflict"


class NotFound(DomainError):
    code = "not_found"
    message_key = "not_found"


class NotPermitted(DomainError):
    """The caller, who is known, may not do this (their role, scope or assignment)."""

    code = "forbidden"
    message_key = "forbidden.role"


class Unavailable(DomainError):
    """Something the command needs cannot be reached or is not configured: try later."""

    code = "unavailable"
    message_key = "unavailable"
