"""Errors the domain raises and the HTTP layer turns into answers.

The domain imports this module and nothing from FastAPI: an error names its code, its
HTTP status and a message key; the words themselves live in the i18n catalogue, so one
error reads in Chinese or English depending on who asked.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a client is meant to see.

    Subclasses set `code` (stable, machine-readable), `status` and `message_key`;
    keyword arguments fill the message template and are returned as the detail.
    """

    code: ClassVar[str] = "rule_violation"
    status: ClassVar[int] = 422
    message_key: ClassVar[str] = "rule_violation"

    def __init__(self, message_key: str | None = None, /, **params: Any) -> None:
        self.key = message_key or self.message_key
        self.params = params
        # HTTP headers the answer carries besides the body (e.g. Retry-After).
        self.headers: dict[str, str] = {}
        super().__init__(f"{self.code}: {self.key} {params}")


class RuleViolation(DomainError):
    """The command breaks a business rule (e.g. an inspector inspecting their own village)."""

    code = "rule_violation"
    status = 422
    message_key = "rule_violation"


class StateConflict(DomainError):
    """The aggregate is in a state that does not allow the command (e.g. verify twice)."""

    code = "state_conflict"
    status = 409
    message_key = "state_conflict"


class NotFound(DomainError):
    code = "not_found"
    status = 404
    message_key = "not_found"
