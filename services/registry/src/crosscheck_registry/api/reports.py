"""An import plan as JSON, with every problem's message in the caller's language."""

from __future__ import annotations

from pydantic import BaseModel, Field

from crosscheck_platform.i18n import Language, translate
from crosscheck_registry.app.imports import ImportOutcome
from crosscheck_registry.domain.importing.issues import Issue
from crosscheck_registry.domain.importing.report import Entry, Section


class ImportIssue(BaseModel):
    """A problem with one cell, row or sheet of the file."""

    sheet: str
    row: int | None
    column: str | None
    code: str = Field(description="stable, for programs")
    message: str = Field(description="for people, in the caller's language")


class Change(BaseModel):
    old: object
    new: object


class ImportEntry(BaseModel):
    sheet: str
    row: int | None
    name: str
    village: str | None = None
    changes: dict[str, Change] | None = None


class ImportSection(BaseModel):
    rows: int = Field(description="rows of this kind in the file")
    new: list[ImportEntry]
    updated: list[ImportEntry]
    unchanged: int
    missing: list[ImportEntry] = Field(description="on the inventory, not in the file")
    removed: list[ImportEntry] = Field(description="closed or deactivated (close_missing)")


class ImportReport(BaseModel):
    dry_run: bool
    applied: bool
    events: int = Field(description="events recorded (0 on a dry run)")
    commands: int
    invalid_rows: int
    errors: list[ImportIssue]
    notices: list[ImportIssue]
    villages: ImportSection
    sites: ImportSection
    staff: ImportSection


def _issue(issue: Issue, lang: Language) -> ImportIssue:
    params = {"column": issue.column, **issue.params}
    return ImportIssue(
        sheet=issue.sheet,
        row=issue.row,
        column=issue.column,
        code=issue.key,
        message=translate(issue.key, lang, **params),
    )


def _entry(entry: Entry) -> ImportEntry:
    return ImportEntry(
        sheet=entry.sheet,
        row=entry.row,
        name=entry.name,
        village=entry.village,
        changes=(
            {k: Change(old=old, new=new) for k, (old, new) in entry.changes.items()}
            if entry.changes
            else None
        ),
    )


def _section(section: Section) -> ImportSection:
    return ImportSection(
        rows=section.rows,
        new=[_entry(e) for e in section.new],
        updated=[_entry(e) for e in section.updated],
        unchanged=section.unchanged,
        missing=[_entry(e) for e in section.missing],
        removed=[_entry(e) for e in section.removed],
    )


def import_report(outcome: ImportOutcome, lang: Language) -> ImportReport:
    plan = outcome.plan
    return ImportReport(
        dry_run=outcome.options.dry_run,
        applied=outcome.applied,
        events=outcome.events,
        commands=len(plan.commands),
        invalid_rows=plan.invalid_rows,
        errors=[_issue(i, lang) for i in plan.errors],
        notices=[_issue(i, lang) for i in plan.notices],
        villages=_section(plan.villages),
        sites=_section(plan.sites),
        staff=_section(plan.staff),
    )
