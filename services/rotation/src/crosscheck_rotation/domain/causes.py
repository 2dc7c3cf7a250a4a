"""Why a campaign cannot be planned, and what to do about it, in Chinese and English.

A cause is a message key with parameters (translated by the platform's catalogue, so the
same cause reads in the caller's language) plus a suggestion in the same form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from crosscheck_platform.errors import RuleViolation
from crosscheck_platform.i18n import translate
from crosscheck_rotation.domain import messages

messages.register()

Params = Mapping[str, str | int]


@dataclass(frozen=True)
class Cause:
    rule: str
    params: Params = field(default_factory=dict)
    suggestion: str = "relax_or_move"
    suggestion_params: Params = field(default_factory=dict)

    def suggest(self, suggestion: str, params: Params) -> Cause:
        return replace(self, suggestion=suggestion, suggestion_params=params)

    def text(self, lang: str = "zh") -> str:
        language: Literal["zh", "en"] = "en" if lang == "en" else "zh"
        cause = translate(f"rotation.cause.{self.rule}", language, **self.params)
        hint = translate(f"rotation.suggest.{self.suggestion}", language, **self.suggestion_params)
        return f"{cause} {hint}" if language == "en" else f"{cause}。{hint}"

    def as_detail(self) -> dict[str, Any]:
        """For error details: the rule, its parameters and the text in both languages."""
        return {
            "rule": self.rule,
            "params": dict(self.params),
            "zh": self.text("zh"),
            "en": self.text("en"),
        }


def names(items: Iterable[str], limit: int = 10) -> str:
    """A short list for a message: at most `limit` names, then an ellipsis."""
    listed = list(items)
    shown = "、".join(listed[:limit])
    return shown + ("…" if len(listed) > limit else "")


class RotationInfeasible(RuleViolation):
    """The rules cannot all hold: the message names the first cause and a suggestion; the
    detail lists every cause in both languages."""

    def __init__(self, causes: list[Cause], *, ways_out: bool = False) -> None:
        first = causes[0]
        extra: dict[str, Any] = {}
        if ways_out:
            # Once rounds are planned, the groups stay: small changes are the way out.
            extra["ways_out"] = {
                "changes": ["move", "swap", "leader"],
                "zh": translate("rotation.ways_out", "zh"),
                "en": translate("rotation.ways_out", "en"),
            }
        super().__init__(
            f"rotation.infeasible.{first.rule}.{first.suggestion}",
            **{**first.suggestion_params, **first.params},
            causes=[c.as_detail() for c in causes],
            **extra,
        )
        self.causes = causes
