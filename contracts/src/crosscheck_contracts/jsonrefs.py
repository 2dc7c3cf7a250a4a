"""Inline local `$ref`s of a JSON Schema.

Pydantic names shared definitions after Python classes (`#/$defs/Severity`); those names
are not part of the contract. Inlining removes them, so that renaming a class is not a
schema change, and so that a schema can be embedded in another document (AsyncAPI)
where `#/$defs/...` would point at the wrong root.
"""

from __future__ import annotations

from typing import Any

DEF_KEYWORDS = ("$defs", "definitions")


def _resolve(root: dict[str, Any], ref: str) -> Any:
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"unresolvable $ref {ref!r}")
        node = node[part]
    return node


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Return `schema` with local refs replaced by their targets and definitions dropped.

    A `$ref` beside other keywords is merged with its target (the siblings win), which is
    how 2020-12 evaluates it for the schemas pydantic writes. Recursive refs are kept as
    they are, together with the definitions they need.
    """
    recursive = False

    def walk(node: Any, stack: tuple[str, ...]) -> Any:
        nonlocal recursive
        if isinstance(node, list):
            return [walk(item, stack) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in stack:
                recursive = True
                return {key: walk(value, stack) for key, value in node.items()}
            target = walk(_resolve(schema, ref), (*stack, ref))
            siblings = {k: walk(v, stack) for k, v in node.items() if k != "$ref"}
            return {**target, **siblings} if isinstance(target, dict) else target
        return {key: walk(value, stack) for key, value in node.items() if key not in DEF_KEYWORDS}

    inlined: dict[str, Any] = walk(schema, ())
    if recursive:
        for keyword in DEF_KEYWORDS:
            if keyword in schema:
                inlined[keyword] = schema[keyword]
    return inlined
