"""export and check over a folder: what CI enforces when a published schema changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, ClassVar

import pytest

from crosscheck_contracts import CATALOGUE, BoundedContext, Event, EventCatalogue
from crosscheck_contracts.cli import main
from crosscheck_contracts.publish import check, export
from crosscheck_contracts.schemas import ENVELOPE_FILE, schema_path

TYPE = "crosscheck.test.ThingCounted"


class CountedV1(Event):
    """Something was counted."""

    event_type: ClassVar[str] = TYPE
    context: ClassVar[BoundedContext] = BoundedContext.REGISTRY
    aggregate_field: ClassVar[str] = "thing_id"

    thing_id: str
    n: int


class CountedV1Reworded(Event):
    """Something was counted, reworded: only documentation changed."""

    event_type: ClassVar[str] = TYPE
    context: ClassVar[BoundedContext] = BoundedContext.REGISTRY
    aggregate_field: ClassVar[str] = "thing_id"

    thing_id: str
    """Which thing."""
    n: int


class CountedV1WithExtra(CountedV1):
    """Something was counted, and a field was added without a new version."""

    unit: str | None = None


class CountedV2(CountedV1WithExtra):
    """Something was counted, in a unit (v2)."""

    schema_version: ClassVar[int] = 2


def upcast(data: dict[str, Any]) -> dict[str, Any]:
    return data | {"unit": None}


V1 = EventCatalogue([CountedV1])
V2 = EventCatalogue([CountedV2], upcasters={(TYPE, 1): upcast})


def file(root: Path, version: int) -> Path:
    return root / "registry" / f"ThingCounted.v{version}.json"


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """A folder where v1 has been published."""
    report = export(tmp_path, V1)
    assert report.ok, report.problems
    assert set(report.written) == {file(tmp_path, 1), tmp_path / ENVELOPE_FILE}
    return tmp_path


def test_freshly_exported_schemas_check_clean(published: Path) -> None:
    report = check(published, V1)
    assert report.ok and not report.notes
    schema = json.loads(file(published, 1).read_text())
    assert schema["$id"] == "urn:crosscheck:schema:crosscheck.test.ThingCounted:v1"
    assert schema["additionalProperties"] is False


def test_export_is_deterministic(published: Path) -> None:
    assert export(published, V1).written == []


def test_a_documentation_change_passes_and_export_refreshes_it(published: Path) -> None:
    catalogue = EventCatalogue([CountedV1Reworded])
    report = check(published, catalogue)
    assert report.ok
    assert any("documentation differs" in note for note in report.notes)
    assert export(published, catalogue).written == [file(published, 1)]
    assert "reworded" in file(published, 1).read_text()


def test_an_added_field_without_a_new_version_fails(published: Path) -> None:
    catalogue = EventCatalogue([CountedV1WithExtra])
    before = file(published, 1).read_text()

    report = check(published, catalogue)
    assert not report.ok
    assert "added properties.unit" in report.problems[0]
    assert "new schema_version" in report.problems[0]

    # export must not overwrite the published version and so hide the break
    assert not export(published, catalogue).ok
    assert file(published, 1).read_text() == before


def test_a_new_version_with_the_old_file_kept_passes(published: Path) -> None:
    report = export(published, V2)
    assert report.ok, report.problems
    assert report.written == [file(published, 2)]
    assert file(published, 1).is_file()
    assert check(published, V2).ok


def test_removing_the_old_version_file_fails(published: Path) -> None:
    export(published, V2)
    file(published, 1).unlink()
    problems = check(published, V2).problems
    assert len(problems) == 1 and "ThingCounted.v1.json: missing" in problems[0]


def test_a_new_version_without_an_upcaster_fails(published: Path) -> None:
    catalogue = EventCatalogue([CountedV2])
    export(published, catalogue)
    problems = check(published, catalogue).problems
    assert problems == [f"{TYPE}: no upcaster from v1, stored history is unreadable"]


def test_going_back_a_version_fails(published: Path) -> None:
    export(published, V2)
    problems = check(published, EventCatalogue([CountedV1])).problems
    assert len(problems) == 1 and "published v2 but the code is v1" in problems[0]


def test_a_missing_or_broken_file_fails(published: Path) -> None:
    (published / ENVELOPE_FILE).unlink()
    file(published, 1).write_text("{not json")
    problems = check(published, V1).problems
    assert len(problems) == 2
    assert any("not valid JSON" in p for p in problems)
    assert any(f"{ENVELOPE_FILE}: missing" in p for p in problems)


def test_the_command_line_exports_then_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--root", str(tmp_path)]) == 1
    assert "missing; run export" in capsys.readouterr().err

    # Versions superseded since were published by earlier releases: export keeps them.
    published = Path(__file__).resolve().parents[1] / "schemas"
    shutil.copytree(published, tmp_path / "schemas")
    for model in CATALOGUE:
        schema_path(tmp_path / "schemas", model).unlink()
    assert main(["export", "--root", str(tmp_path)]) == 0
    assert (tmp_path / "schemas" / "hazards" / "HazardFound.v1.json").is_file()
    assert (tmp_path / "schemas" / "hazards" / "HazardFound.v2.json").is_file()
    assert (tmp_path / "asyncapi.json").is_file()

    assert main(["check", "--root", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip().endswith("match the code")

    (tmp_path / "asyncapi.json").write_text("{}\n")
    assert main(["check", "--root", str(tmp_path)]) == 1
    assert "asyncapi.json: out of date" in capsys.readouterr().err
    assert main(["asyncapi", "--root", str(tmp_path)]) == 0
    assert main(["check", "--root", str(tmp_path)]) == 0
