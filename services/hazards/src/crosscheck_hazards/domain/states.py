"""The hazard's closed loop as an explicit state machine (整改闭环).

    found ──notify──▶ notified ──assign──▶ rectifying ──report──▶ reported ──verify──▶ verified
                                              ▲  │extend               │reject
                                              │  ▼                     ▼
                                              └─(same state)     rejected ──report──▶ reported
                                                                    │extend

`escalate` is allowed in every open state; nothing is allowed once verified (销号).
The states are the one vocabulary every service and document uses (`HazardStatus` of
the contracts, with its zh/en labels).
The table below is the single source of truth: commands check it, errors quote it,
and the tests walk it exhaustively.
"""

from __future__ import annotations

from enum import StrEnum

from crosscheck_contracts.events.hazards import HazardStatus

HazardState = HazardStatus


class HazardCommand(StrEnum):
    NOTIFY = "notify"
    ASSIGN = "assign"
    REPORT = "report"
    VERIFY = "verify"
    REJECT = "reject"
    EXTEND = "extend"
    ESCALATE = "escalate"


_C = HazardCommand
_S = HazardState

ALLOWED: dict[HazardState, tuple[HazardCommand, ...]] = {
    _S.FOUND: (_C.NOTIFY, _C.ESCALATE),
    _S.NOTIFIED: (_C.ASSIGN, _C.ESCALATE),
    _S.RECTIFYING: (_C.REPORT, _C.EXTEND, _C.ESCALATE),
    _S.REPORTED: (_C.VERIFY, _C.REJECT, _C.ESCALATE),
    _S.REJECTED: (_C.REPORT, _C.EXTEND, _C.ESCALATE),
    _S.VERIFIED: (),
}

NEXT_STATE: dict[HazardCommand, HazardState | None] = {
    _C.NOTIFY: _S.NOTIFIED,
    _C.ASSIGN: _S.RECTIFYING,
    _C.REPORT: _S.REPORTED,
    _C.VERIFY: _S.VERIFIED,
    _C.REJECT: _S.REJECTED,
    _C.EXTEND: None,  # the state stays; only the deadline moves
    _C.ESCALATE: None,
}
"""Where a command leads; None means the state does not change."""

OPEN_STATES = frozenset(s for s in HazardState if s is not HazardState.VERIFIED)
