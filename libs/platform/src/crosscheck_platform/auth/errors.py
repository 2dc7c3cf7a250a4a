"""Authentication and authorisation failures, in the shape every error answer has."""

from __future__ import annotations

from crosscheck_platform.errors import DomainError


class Unauthenticated(DomainError):
    """No token, or one we cannot trust: 401, and the client should sign in again."""

    code = "unauthorized"
    status = 401
    message_key = "unauthorized"


class Forbidden(DomainError):
    """A trusted principal asking for something outside their role or township: 403."""

    code = "forbidden"
    status = 403
    message_key = "forbidden.role"


class IdentityUnavailable(DomainError):
    """The identity provider's keys cannot be fetched right now: try again shortly."""

    code = "unavailable"
    status = 503
    message_key = "identity_unavailable"
