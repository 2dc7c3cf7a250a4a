"""Is a published JSON Schema still what the code produces?

Our readers are strict (unknown fields are rejected), so nearly every structural change
breaks somebody: an added field breaks old readers, a removed or retyped one breaks old
writers and stored history. The rule is therefore simple: a published schema version is
frozen except for documentation keywords; any other difference needs a new version.

Pure functions over parsed JSON, so the rule can be tested without files.
"""

from __future__ import annotations

import json
from typing import Any

from crosscheck_contracts.jsonrefs import inline_refs

DOC_KEYWORDS = frozenset({"title", "description", "examples", "$comment"})

# Keywords whose value is a map from names to subschemas: the names are data (a field
# may well be called "description"), the subschemas are schemas.
_SCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)
# Keywords whose value is one subschema or a list of them.
_SUBSCHEMAS = frozenset(
    {
        "items",
        "additionalItems",
        "prefixItems",
        "additionalProperties",
        "unevaluatedItems",
        "unevaluatedProperties",
        "propertyNames",
        "contains",
        "not",
        "if",
        "then",
        "else",
        "allOf",
        "anyOf",
        "oneOf",
    }
)
# Keywords whose list value is a set: order carries no meaning.
_UNORDERED = frozenset({"required", "enum", "type"})


def structure(schema: Any) -> Any:
    """The part of a schema that decides what validates: refs inlined, docs dropped."""
    if isinstance(schema, dict):
        return _strip(inline_refs(schema))
    return schema


def _strip(node: Any) -> Any:
    if isinstance(node, list):
        return [_strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in DOC_KEYWORDS:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _strip(sub) for name, sub in value.items()}
        elif key in _SUBSCHEMAS:
            out[key] = _strip(value)
        elif key in _UNORDERED and isinstance(value, list):
            out[key] = sorted(value, key=_canonical)
        else:
            # Literal values (const, enum, default, pattern, ...) are compared as they are.
            out[key] = value
    return out


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _same_scalar(a: Any, b: Any) -> bool:
    # JSON true is not 1; 1 and 1.0 are the same number.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and bool(a == b)


def differences(published: Any, current: Any) -> list[str]:
    """Every structural difference between two schemas, as readable one-line reports."""
    found: list[str] = []
    _diff(structure(published), structure(current), "", found)
    return found


def is_compatible(published: Any, current: Any) -> bool:
    return not differences(published, current)


def _diff(old: Any, new: Any, path: str, found: list[str]) -> None:
    where = path or "(root)"
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() - new.keys()):
            found.append(f"removed {_join(path, key)}")
        for key in sorted(new.keys() - old.keys()):
            found.append(f"added {_join(path, key)}")
        for key in sorted(old.keys() & new.keys()):
            _diff(old[key], new[key], _join(path, key), found)
    elif isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new) or path.rsplit(".", 1)[-1] in _UNORDERED:
            if _canonical(old) != _canonical(new):
                found.append(f"changed {where}: {_canonical(old)} -> {_canonical(new)}")
            return
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            _diff(a, b, f"{path}[{index}]", found)
    elif isinstance(old, dict | list) or isinstance(new, dict | list) or not _same_scalar(old, new):
        found.append(f"changed {where}: {_canonical(old)} -> {_canonical(new)}")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
