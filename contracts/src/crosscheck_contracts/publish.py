"""Write the published schema files, and check that they still match the code.

`check` is what CI runs: it fails when a published schema differs structurally from
the code (a breaking change without a new schema_version), when a file is missing,
when an old version's file was removed, or when an old version cannot be upcast.
`export` writes what the code says, but never overwrites a published version with an
incompatible schema: that would hide exactly the change `check` exists to catch.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crosscheck_contracts.catalogue import EventCatalogue
from crosscheck_contracts.compat import differences
from crosscheck_contracts.schemas import (
    ENVELOPE_FILE,
    envelope_schema,
    event_name,
    payload_schema,
    render,
    schema_path,
)

_VERSIONED_FILE = re.compile(r"^(?P<name>[A-Za-z0-9]+)\.v(?P<version>[1-9][0-9]*)\.json$")


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def expected_schemas(schemas_dir: Path, catalogue: EventCatalogue) -> dict[Path, dict[str, Any]]:
    """Every file the current code publishes (current versions only) and its content."""
    expected = {schema_path(schemas_dir, model): payload_schema(model) for model in catalogue}
    expected[schemas_dir / ENVELOPE_FILE] = envelope_schema()
    return expected


def shown(path: Path) -> str:
    """A path as a person reads it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _compare(path: Path, current: dict[str, Any], report: Report) -> bool:
    """Record problems/notes for one existing file; True if it may be (re)written."""
    try:
        published = _load(path)
    except ValueError as exc:
        report.problems.append(f"{shown(path)}: not valid JSON ({exc})")
        return False
    diffs = differences(published, current)
    if diffs:
        summary = "; ".join(diffs[:8]) + (f" (+{len(diffs) - 8} more)" if len(diffs) > 8 else "")
        report.problems.append(
            f"{shown(path)}: published schema changed incompatibly: {summary}. Keep this file and "
            "give the event a new schema_version (with an upcaster from this one)."
        )
        return False
    if published != current:
        report.notes.append(f"{shown(path)}: documentation differs from the code; run export")
    return True


def _check_history(schemas_dir: Path, catalogue: EventCatalogue, report: Report) -> None:
    for model in catalogue:
        for version in range(1, model.schema_version):
            old = schema_path(schemas_dir, model, version)
            if not old.is_file():
                report.problems.append(
                    f"{shown(old)}: missing; a published version stays published after a new one"
                )
            if not catalogue.has_upcaster(model.event_type, version):
                report.problems.append(
                    f"{model.event_type}: no upcaster from v{version}, stored history is unreadable"
                )
        folder = schemas_dir / model.context.value
        for path in sorted(folder.glob(f"{event_name(model)}.v*.json")):
            match = _VERSIONED_FILE.match(path.name)
            if match and int(match["version"]) > model.schema_version:
                report.problems.append(
                    f"{shown(path)}: published v{match['version']} but the code is "
                    f"v{model.schema_version}; versions never go back"
                )


def check(schemas_dir: Path, catalogue: EventCatalogue) -> Report:
    report = Report()
    for path, current in expected_schemas(schemas_dir, catalogue).items():
        if not path.is_file():
            report.problems.append(f"{shown(path)}: missing; run export and commit it")
        else:
            _compare(path, current, report)
    _check_history(schemas_dir, catalogue, report)
    return report


def export(schemas_dir: Path, catalogue: EventCatalogue) -> Report:
    report = Report()
    for path, current in expected_schemas(schemas_dir, catalogue).items():
        if path.is_file() and not _compare(path, current, report):
            continue
        if write_if_changed(path, render(current)):
            report.written.append(path)
    report.notes.clear()  # doc differences were just written
    _check_history(schemas_dir, catalogue, report)
    return report


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` unless the file already holds it; True when written."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def check_generated(path: Path, text: str) -> Report:
    """A derived document (AsyncAPI) must match the code exactly."""
    report = Report()
    if not path.is_file():
        report.problems.append(f"{shown(path)}: missing; run export and commit it")
    elif path.read_text(encoding="utf-8") != text:
        report.problems.append(
            f"{shown(path)}: out of date with the code; run export and commit it"
        )
    return report
