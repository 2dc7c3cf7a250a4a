"""Authentication and authorisation failures, in the shape every error answer has."""

from __future__ import annotations

from crosscheck_platform.errors import DomainError, NotPermitted, Unavailable


class Unauthenticated(DomainError):
    """No token, or one we cannot trust: the client should sign in again."""

    code = "unauthorized"
    message_key = "unauthorized"


class Forbidden(NotPermitted):
    """A trusted principal asking for something outside their role or township."""

    code = "forbidden"
    message_key = "forbidden.role"


class IdentityUnavailable(Unavailable):
    """The identity provider's keys cannot be fetched right now: try again shortly."""

    code = "unavailable"
    message_key = "identity_unavailable"
