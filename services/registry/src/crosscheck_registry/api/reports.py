"""An import plan as JSON, with every problem's message in the caller's language."""

from __future__ import annotations

from typing import Any

from crosscheck_platform.i18n import Language, translate
from crosscheck_registry.app.imports import ImportOutcome
from crosscheck_registry.domain.importing.issues import Issue
from crosscheck_registry.domain.importing.report import Entry, Section


def _issue(issue: Issue, lang: Language) -> dict[str, Any]:
    params = {"column": issue.column, **issue.params}
    return {
        "sheet": issue.sheet,
        "row": issue.row,
        "column": issue.column,
        "code": issue.key,
        "message": translate(issue.key, lang, **params),
    }


def _entry(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {"sheet": entry.sheet, "row": entry.row, "name": entry.name}
    if entry.village is not None:
        out["village"] = entry.village
    if entry.changes:
        out["changes"] = {k: {"old": old, "new": new} for k, (old, new) in entry.changes.items()}
    return out


def _section(section: Section) -> dict[str, Any]:
    return {
        "rows": section.rows,
        "new": [_entry(e) for e in section.new],
        "updated": [_entry(e) for e in section.updated],
        "unchanged": section.unchanged,
        "missing": [_entry(e) for e in section.missing],
        "removed": [_entry(e) for e in section.removed],
    }


def import_report(outcome: ImportOutcome, lang: Language) -> dict[str, Any]:
    plan = outcome.plan
    return {
        "dry_run": outcome.options.dry_run,
        "applied": outcome.applied,
        "events": outcome.events,
        "commands": len(plan.commands),
        "invalid_rows": plan.invalid_rows,
        "errors": [_issue(i, lang) for i in plan.errors],
        "notices": [_issue(i, lang) for i in plan.notices],
        "villages": _section(plan.villages),
        "sites": _section(plan.sites),
        "staff": _section(plan.staff),
    }
