"""The services' OpenAPI documents, exported into the repo and checked like the event
schemas: outside clients and the console generate code from them.

    uv run python tools/openapi.py export   write contracts/openapi/<service>.json
    uv run python tools/openapi.py check    fail when a committed document is out of step
                                            with the code, when the code breaks what the
                                            committed document promised, or when an
                                            operation has no typed answer

A change that breaks clients (an operation or success answer gone, a new required input,
a property of an answer gone or retyped) needs a new path version, not an edit. Every
operation answers a named model (or a file, page or nothing, typed by its media type):
an untyped operation fails the check.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crosscheck_platform.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "contracts" / "openapi"
SERVICES = ("registry", "rotation", "hazards", "notify", "ledgers")
# The document is the same whoever the issuer is; nothing connects while it is made.
SETTINGS = ServiceSettings(environment="development", oidc_issuer="http://issuer.invalid/realms/x")
Document = dict[str, Any]


def document_of(service: str) -> Document:
    bootstrap = importlib.import_module(f"crosscheck_{service}.bootstrap")
    document: Document = bootstrap.build_app(SETTINGS).openapi()
    return document


def render(document: Document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def operations(document: Document) -> Iterator[tuple[str, str, Document]]:
    for path, methods in sorted(document.get("paths", {}).items()):
        for method, operation in sorted(methods.items()):
            yield path, method, operation


def _resolve(document: Document, schema: Any, depth: int = 0) -> Any:
    if isinstance(schema, dict) and "$ref" in schema and depth < 20:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _resolve(document, document["components"]["schemas"].get(name, {}), depth + 1)
    return schema


def _kind(document: Document, schema: Any) -> str:
    schema = _resolve(document, schema)
    if not isinstance(schema, dict):
        return "?"
    if "anyOf" in schema:
        return "|".join(sorted(_kind(document, s) for s in schema["anyOf"]))
    return str(schema.get("type", "object" if "properties" in schema else "any"))


def _success(operation: Document) -> dict[str, Document]:
    return {s: a for s, a in operation.get("responses", {}).items() if s.startswith("2")}


def _json_schema(answer: Document) -> Any:
    return answer.get("content", {}).get("application/json", {}).get("schema")


def _compare_properties(
    old_doc: Document, new_doc: Document, old: Any, new: Any, where: str, *, answer: bool
) -> list[str]:
    """Answers may gain properties, never lose or retype one; requests may gain optional
    ones, never a required one."""
    old, new = _resolve(old_doc, old), _resolve(new_doc, new)
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    problems = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, schema in old_props.items():
        if name not in new_props:
            if answer:
                problems.append(f"{where}: property {name!r} removed")
            continue
        before, after = _kind(old_doc, schema), _kind(new_doc, new_props[name])
        if before != after:
            problems.append(f"{where}: property {name!r} changed from {before} to {after}")
    if not answer:
        for name in set(new.get("required", [])) - set(old.get("required", [])):
            problems.append(f"{where}: new required property {name!r}")
    return problems


def breaking_changes(old: Document, new: Document) -> list[str]:
    problems = []
    new_ops = {(p, m): o for p, m, o in operations(new)}
    for path, method, before in operations(old):
        where = f"{method.upper()} {path}"
        after = new_ops.get((path, method))
        if after is None:
            problems.append(f"{where}: operation removed")
            continue
        old_success, new_success = _success(before), _success(after)
        for status, answer in old_success.items():
            if status not in new_success:
                problems.append(f"{where}: success answer {status} removed")
                continue
            problems += _compare_properties(
                old,
                new,
                _json_schema(answer),
                _json_schema(new_success[status]),
                f"{where} {status}",
                answer=True,
            )
        required_before = {p["name"] for p in before.get("parameters", []) if p.get("required")}
        for parameter in after.get("parameters", []):
            if parameter.get("required") and parameter["name"] not in required_before:
                problems.append(f"{where}: new required parameter {parameter['name']!r}")
        old_body = before.get("requestBody", {}).get("content", {}).get("application/json", {})
        new_body = after.get("requestBody", {}).get("content", {}).get("application/json", {})
        if old_body and new_body:
            problems += _compare_properties(
                old,
                new,
                old_body.get("schema"),
                new_body.get("schema"),
                f"{where} body",
                answer=False,
            )
    return problems


def untyped(service: str, document: Document) -> list[str]:
    """Operations whose JSON success answer names no model (e.g. `dict[str, Any]`)."""
    found = []
    for path, method, operation in operations(document):
        for status, answer in _success(operation).items():
            content = answer.get("content", {})
            if "application/json" not in content:
                continue  # files, pages, empty answers: typed by their media type
            schema = content["application/json"].get("schema", {})
            if schema.get("type") == "array":
                schema = schema.get("items", {})
            if "$ref" not in schema:
                found.append(f"{service} {method.upper()} {path} {status}")
    return found


def export() -> int:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for service in SERVICES:
        document = document_of(service)
        (FOLDER / f"{service}.json").write_text(render(document))
        print(f"wrote contracts/openapi/{service}.json")
        for operation in untyped(service, document):
            print(f"warning: untyped operation (give it a response model): {operation}")
    return 0


def check() -> int:
    problems: list[str] = []
    found: list[str] = []
    for service in SERVICES:
        path = FOLDER / f"{service}.json"
        document = document_of(service)
        found += untyped(service, document)
        if not path.exists():
            problems.append(f"contracts/openapi/{service}.json is missing: run export")
            continue
        committed = json.loads(path.read_text())
        problems += [f"{service}: {p}" for p in breaking_changes(committed, document)]
        if render(committed) != render(document):
            problems.append(
                f"contracts/openapi/{service}.json is out of step with the code: run "
                "`uv run python tools/openapi.py export` and commit it"
            )
    problems += [f"untyped operation (give it a response model): {op}" for op in found]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not problems:
        print("OpenAPI documents in step; every operation typed")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command not in ("export", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    return export() if command == "export" else check()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
