"""The edge decides each error's HTTP status from its kind; the errors carry none."""

from __future__ import annotations

import pytest

from crosscheck_platform.auth.errors import Forbidden, IdentityUnavailable, Unauthenticated
from crosscheck_platform.errors import (
    DomainError,
    NotFound,
    NotPermitted,
    RuleViolation,
    StateConflict,
    Unavailable,
)
from crosscheck_platform.http.files import PayloadTooLarge
from crosscheck_platform.http.ratelimit import RateLimited
from crosscheck_platform.http.statuses import answer_status, status_of
from crosscheck_platform.identity.errors import (
    IdentityConflict,
    IdentityRefused,
    IdentityUnreachable,
    LoginRefused,
)
from crosscheck_platform.tenancy.errors import OutOfScope


class Custom(StateConflict):
    code = "custom"


class Shrunk(Custom):
    code = "shrunk"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (DomainError(), 422),
        (RuleViolation(), 422),
        (StateConflict(), 409),
        (NotFound(), 404),
        (NotPermitted(), 403),
        (Forbidden(), 403),
        (OutOfScope(), 403),
        (Unauthenticated(), 401),
        (Unavailable(), 503),
        (IdentityUnavailable(), 503),
        (PayloadTooLarge(), 413),
        (RateLimited(0.2), 429),
        (IdentityRefused(), 502),
        (IdentityUnreachable(), 503),
        (LoginRefused(), 401),
        (IdentityConflict(), 409),
        (Custom(), 409),
    ],
)
def test_an_error_answers_the_status_of_its_nearest_listed_kind(
    error: DomainError, status: int
) -> None:
    assert status_of(error) == status


def test_a_service_lists_its_own_kind_and_its_subclasses_follow() -> None:
    answer_status(413, Custom)
    assert (status_of(Custom()), status_of(Shrunk()), status_of(StateConflict())) == (
        413,
        413,
        409,
    )


def test_no_error_class_carries_an_http_status() -> None:
    kinds: list[type[DomainError]] = [DomainError]
    seen: set[type[DomainError]] = set()
    while kinds:
        kind = kinds.pop()
        if kind in seen:
            continue
        seen.add(kind)
        kinds += kind.__subclasses__()
        assert "status" not in vars(kind), kind


def test_a_rate_limit_says_when_to_come_back() -> None:
    assert RateLimited(0.2).retry_after == 1
    assert RateLimited(2.5).retry_after == 3
