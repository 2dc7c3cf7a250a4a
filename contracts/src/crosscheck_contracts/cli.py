"""`crosscheck-contracts`: export the published schemas and AsyncAPI, or check them.

crosscheck-contracts export     write schemas/ and asyncapi.json from the code
crosscheck-contracts check      fail if committed files are missing or out of step
crosscheck-contracts asyncapi   write asyncapi.json only
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from crosscheck_contracts import asyncapi, publish
from crosscheck_contracts.events import CATALOGUE
from crosscheck_contracts.schemas import render


def _default_root() -> Path:
    # In a checkout the package lives in <contracts>/src/crosscheck_contracts.
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "src").is_dir():
        return checkout
    return Path.cwd()


def _print(report: publish.Report) -> None:
    for path in report.written:
        print(f"wrote {publish.shown(path)}")
    for note in report.notes:
        print(f"note: {note}")
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)


def _asyncapi_text() -> str:
    return render(asyncapi.build(CATALOGUE))


def _write_asyncapi(root: Path) -> publish.Report:
    report = publish.Report()
    path = root / asyncapi.ASYNCAPI_FILE
    if publish.write_if_changed(path, _asyncapi_text()):
        report.written.append(path)
    return report


def run(command: str, root: Path) -> int:
    schemas_dir = root / "schemas"
    reports: list[publish.Report] = []
    if command == "export":
        reports += [publish.export(schemas_dir, CATALOGUE), _write_asyncapi(root)]
    elif command == "asyncapi":
        reports.append(_write_asyncapi(root))
    else:
        reports += [
            publish.check(schemas_dir, CATALOGUE),
            publish.check_generated(root / asyncapi.ASYNCAPI_FILE, _asyncapi_text()),
        ]
    for report in reports:
        _print(report)
    failed = any(not report.ok for report in reports)
    if command == "check" and not failed:
        print(f"ok: {len(CATALOGUE)} event schemas, envelope and AsyncAPI match the code")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="crosscheck-contracts",
        description="Export or check Crosscheck's published event schemas and AsyncAPI.",
    )
    parser.add_argument("command", choices=["export", "check", "asyncapi"])
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="folder holding schemas/ and asyncapi.json (default: the contracts package)",
    )
    args = parser.parse_args(argv)
    return run(args.command, args.root or _default_root())


if __name__ == "__main__":
    sys.exit(main())
