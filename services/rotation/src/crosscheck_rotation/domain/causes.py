"""Why a campaign cannot be planned, and what to do about it, as codes and parameters.

A cause is a rule (a stable code) with its parameters, plus a suggestion in the same form;
the names of people, groups and places are parameters. The words, in Chinese and English,
are rendered at the edge (`api.causes`) from the service's message catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from crosscheck_platform.errors import RuleViolation

# A parameter is a number, a name, or several names (listed in the words at the edge).
Params = Mapping[str, str | int | tuple[str, ...]]


@dataclass(frozen=True)
class Cause:
    rule: str
    params: Params = field(default_factory=dict)
    suggestion: str = "relax_or_move"
    suggestion_params: Params = field(default_factory=dict)

    def suggest(self, suggestion: str, params: Params) -> Cause:
        return replace(self, suggestion=suggestion, suggestion_params=params)


def names(items: Iterable[str]) -> tuple[str, ...]:
    """Several names as one parameter, in order; how they are listed is the edge's."""
    return tuple(items)


class RotationInfeasible(RuleViolation):
    """The rules cannot all hold. The message key names the first cause and its suggestion
    (their parameters fill it); `causes` lists every cause, and `ways_out` says whether
    small changes to the groups are the way out (once rounds are planned, the groups stay)."""

    def __init__(self, causes: list[Cause], *, ways_out: bool = False) -> None:
        first = causes[0]
        super().__init__(
            f"rotation.infeasible.{first.rule}.{first.suggestion}",
            **{**first.suggestion_params, **first.params},
        )
        self.causes = causes
        self.ways_out = ways_out
