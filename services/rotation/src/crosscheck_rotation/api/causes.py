"""The rotation's refusals in words: the causes of an impossible plan (codes and parameters
from `domain.causes`) rendered in Chinese and English from the service's catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from crosscheck_platform.http.errors import error_response
from crosscheck_platform.http.statuses import status_of
from crosscheck_platform.i18n import Language, translate
from crosscheck_rotation.api import messages
from crosscheck_rotation.domain.causes import Cause, Params, RotationInfeasible

messages.register()

# Once rounds are planned, the groups stay: small changes are the way out.
WAYS_OUT = ["move", "swap", "leader"]


# A message lists at most this many names, then an ellipsis.
LISTED = 10


def listed(params: Params) -> dict[str, str | int]:
    """Parameters as the words show them: several names as one short list."""
    return {
        key: "、".join(value[:LISTED]) + ("…" if len(value) > LISTED else "")
        if isinstance(value, tuple)
        else value
        for key, value in params.items()
    }


def text(cause: Cause, lang: Language = "zh") -> str:
    """The cause and its suggestion as one sentence in `lang`."""
    said = translate(f"rotation.cause.{cause.rule}", lang, **listed(cause.params))
    hint = translate(
        f"rotation.suggest.{cause.suggestion}", lang, **listed(cause.suggestion_params)
    )
    return f"{said} {hint}" if lang == "en" else f"{said}。{hint}"


def as_detail(cause: Cause) -> dict[str, Any]:
    """For error details: the rule, its parameters and the text in both languages."""
    return {
        "rule": cause.rule,
        "params": listed(cause.params),
        "zh": text(cause, "zh"),
        "en": text(cause, "en"),
    }


def detail(exc: RotationInfeasible) -> dict[str, Any]:
    """The refusal's detail: the first cause's parameters, every cause in both languages
    and, when small changes are the way out, those changes."""
    found: dict[str, Any] = {**listed(exc.params), "causes": [as_detail(c) for c in exc.causes]}
    if exc.ways_out:
        found["ways_out"] = {
            "changes": list(WAYS_OUT),
            "zh": translate("rotation.ways_out", "zh"),
            "en": translate("rotation.ways_out", "en"),
        }
    return found


async def infeasible_answer(request: Request, exc: Exception) -> JSONResponse:
    """The error answer for an impossible plan, in the caller's language."""
    assert isinstance(exc, RotationInfeasible)
    return error_response(
        request, status_of(exc), exc.code, exc.key, params=listed(exc.params), detail=detail(exc)
    )
