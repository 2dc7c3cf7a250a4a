"""Running an import: read the file, plan it against the township's state under the
township's lock, and apply the whole plan in that one transaction, or nothing."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from crosscheck_platform.db import Database
from crosscheck_platform.eventstore import CommandContext, EventStore
from crosscheck_registry.adapters.spreadsheets import read_upload
from crosscheck_registry.adapters.state import load_township_state
from crosscheck_registry.app.handlers import execute, lock_township
from crosscheck_registry.domain.importing.plan import plan_import
from crosscheck_registry.domain.importing.report import ImportPlan


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    skip_invalid: bool = False
    close_missing: bool = False


@dataclass(frozen=True)
class ImportOutcome:
    plan: ImportPlan
    options: ImportOptions
    applied: bool
    events: int


class ImportRejected(Exception):
    """The file has errors and the caller did not ask to skip them (or cannot: errors
    in the file's structure are never skipped). Nothing was written."""

    def __init__(self, outcome: ImportOutcome) -> None:
        super().__init__(f"{len(outcome.plan.errors)} import errors")
        self.outcome = outcome


async def run_import(
    db: Database,
    store: EventStore,
    context: CommandContext,
    data: bytes,
    options: ImportOptions,
    *,
    today: date,
) -> ImportOutcome:
    # Reading a workbook takes CPU for up to a second or two: off the event loop, so the
    # service goes on answering meanwhile. Past the size limits: SpreadsheetTooLarge.
    upload = await asyncio.to_thread(read_upload, data)
    township = context.tenant.township
    async with db.transaction() as conn:
        await lock_township(conn, township)
        state = await load_township_state(conn, township)
        plan = plan_import(upload, state, today=today, close_missing=options.close_missing)
        if options.dry_run:
            return ImportOutcome(plan, options, applied=False, events=0)
        if plan.errors and (not options.skip_invalid or plan.has_sheet_errors):
            raise ImportRejected(ImportOutcome(plan, options, applied=False, events=0))
        stored = await execute(conn, store, context, plan.commands)
    return ImportOutcome(plan, options, applied=True, events=len(stored))
