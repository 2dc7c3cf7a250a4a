"""Which HTTP status each kind of error answers: decided here, at the edge, not by the
errors themselves (the domain knows nothing of HTTP).

An error answers the status of the nearest class in its ancestry that is listed; a
service lists its own kinds with `answer_status` when the base classes do not say
enough (e.g. a 413 for a file too large to unpack).
"""

from __future__ import annotations

from crosscheck_platform.auth.errors import Unauthenticated
from crosscheck_platform.errors import (
    DomainError,
    NotFound,
    NotPermitted,
    RuleViolation,
    StateConflict,
    Unavailable,
)
from crosscheck_platform.http.files import PayloadTooLarge
from crosscheck_platform.identity.errors import (
    IdentityConflict,
    IdentityError,
    IdentityUnreachable,
    IdentityUserNotFound,
    LoginRefused,
    PasswordRejected,
)
from crosscheck_platform.media import UnsupportedMediaType

_STATUS: dict[type[DomainError], int] = {
    DomainError: 422,
    RuleViolation: 422,
    StateConflict: 409,
    NotFound: 404,
    NotPermitted: 403,
    Unavailable: 503,
    Unauthenticated: 401,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    # The identity provider answered something we cannot pass on as our own: 502,
    # unless it is one of the refusals a client can act on.
    IdentityError: 502,
    IdentityUnreachable: 503,
    LoginRefused: 401,
    PasswordRejected: 422,
    IdentityConflict: 409,
    IdentityUserNotFound: 404,
}


def answer_status(status: int, *errors: type[DomainError]) -> None:
    """Answer `status` for these errors (and their subclasses not listed themselves)."""
    for error in errors:
        _STATUS[error] = status


def status_of(error: DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in _STATUS:
            return _STATUS[kind]
    return 422  # unreachable: DomainError itself is listed
