"""The hazards domain's errors: a code and a message key each, with parameters; their
texts are the edge's (`api/messages.py`)."""

from __future__ import annotations

from crosscheck_platform.errors import NotPermitted, RuleViolation, StateConflict


class NotAssigned(NotPermitted):
    """The group (or the person) is not the one the round sent to this place."""

    code = "not_assigned"
    message_key = "inspection.not_assigned"


class VerifierNotAllowed(NotPermitted):
    """This person may not re-check this fix (the verifier rules, docs in `hazard`)."""

    code = "verifier_not_allowed"
    message_key = "hazard.verifier_not_in_group"


class HazardStateConflict(StateConflict):
    message_key = "hazard.state_conflict"


class InspectionRuleViolation(RuleViolation):
    message_key = "inspection.invalid"


class RoundAlreadyClosed(StateConflict):
    """The round ended; groups record no more inspections for it."""

    code = "round_closed"
    message_key = "inspection.round_closed"
