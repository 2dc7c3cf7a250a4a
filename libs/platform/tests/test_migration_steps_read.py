"""A running service checks its schema against the steps read from the step files
(crosscheck_platform.migrations.check), without Alembic: that reading must agree with
Alembic's own on every track, and a service process must not load Alembic at all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crosscheck_platform.migrations.check import SERVICES, Track, tracks


@pytest.mark.parametrize("service", SERVICES)
def test_the_steps_read_from_the_files_are_alembics(service: str) -> None:
    for track in tracks(service):
        script = track.script()
        chain = track.chain()
        assert chain.head == script.get_current_head(), track.name
        assert chain.known == {r.revision for r in script.walk_revisions()}, track.name


def test_two_last_steps_are_refused(tmp_path: Path) -> None:
    for name, parent in (("a1", None), ("b1", "a1"), ("c1", "a1")):
        down = "None" if parent is None else f'"{parent}"'
        (tmp_path / f"{name}.py").write_text(f'revision = "{name}"\ndown_revision = {down}\n')
    with pytest.raises(ValueError, match="more than one last step"):
        Track("forked", tmp_path, "alembic_version").chain()


def test_service_processes_load_neither_alembic_nor_the_solver() -> None:
    """What every service imports at start (the runner's Alembic and SQLAlchemy stay in
    crosscheck-migrate; rotation's CP-SAT, numpy and pandas wait for the first search)."""
    mains = [f"crosscheck_{name}.main" for name in (*SERVICES, "console")]
    probe = (
        "import importlib, sys\n"
        f"for m in {mains!r}: importlib.import_module(m)\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", probe], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert loaded & {"alembic", "sqlalchemy", "ortools", "pandas"} == set()
