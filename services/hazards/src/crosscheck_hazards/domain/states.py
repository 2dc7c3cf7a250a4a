"""The hazard's closed loop as an explicit state machine (整改闭环).

    found ──notify──▶ notified ──assign──▶ assigned ──report──▶ reported ──verify──▶ closed
                                              ▲  │extend               │reject
                                              │  ▼                     ▼
                                              └─(same state)     rejected ──report──▶ reported
                                                                    │extend

`escalate` is allowed in every open state; nothing is allowed once closed (销号).
The table below is the single source of truth: commands check it, errors quote it,
and the tests walk it exhaustively.
"""

from __future__ import annotations

from enum import StrEnum


class HazardState(StrEnum):
    FOUND = "found"  # 已发现
    NOTIFIED = "notified"  # 已当场告知
    ASSIGNED = "assigned"  # 限期整改中
    REPORTED = "reported"  # 已报整改,待复核
    REJECTED = "rejected"  # 复核未通过,重新限期整改
    CLOSED = "closed"  # 已复核销号


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
    _S.ASSIGNED: (_C.REPORT, _C.EXTEND, _C.ESCALATE),
    _S.REPORTED: (_C.VERIFY, _C.REJECT, _C.ESCALATE),
    _S.REJECTED: (_C.REPORT, _C.EXTEND, _C.ESCALATE),
    _S.CLOSED: (),
}

NEXT_STATE: dict[HazardCommand, HazardState | None] = {
    _C.NOTIFY: _S.NOTIFIED,
    _C.ASSIGN: _S.ASSIGNED,
    _C.REPORT: _S.REPORTED,
    _C.VERIFY: _S.CLOSED,
    _C.REJECT: _S.REJECTED,
    _C.EXTEND: None,  # the state stays; only the deadline moves
    _C.ESCALATE: None,
}
"""Where a command leads; None means the state does not change."""

OPEN_STATES = frozenset(s for s in HazardState if s is not HazardState.CLOSED)
