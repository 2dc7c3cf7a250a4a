"""A service's schema changes only through migration steps: no service code (nor the
platform's runtime) runs DDL, except the ledgers rebuild, which builds its new tables in a
schema of its own and swaps them in (run by the rebuild Job with the migration role)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DDL = re.compile(r"\b(CREATE|ALTER|DROP)\s+(TABLE|INDEX|UNIQUE INDEX|SCHEMA|TRIGGER|FUNCTION)\b")
ALLOWED = {
    # The rebuild's own generation of the ledger tables (see its docstring).
    "services/ledgers/src/crosscheck_ledgers/adapters/generation.py",
    # The compiled specs: the rebuild's keys, and what the migration tests compare with.
    "services/ledgers/src/crosscheck_ledgers/adapters/sql.py",
    # Creates a scratch schema for tests and tools only (`create_schema=True`).
    "libs/platform/src/crosscheck_platform/db.py",
}


def test_service_code_runs_no_ddl_outside_its_migration_steps() -> None:
    sources = [*ROOT.glob("services/*/src/**/*.py"), *ROOT.glob("libs/platform/src/**/*.py")]
    offenders = []
    for source in sources:
        relative = source.relative_to(ROOT).as_posix()
        if "/migrations/" in relative or "/testing/" in relative or relative in ALLOWED:
            continue
        if DDL.search(source.read_text()):
            offenders.append(relative)
    assert offenders == [], (
        "DDL outside migration steps (add a step to the service's migrations folder, "
        f"see libs/platform/README.md): {offenders}"
    )
