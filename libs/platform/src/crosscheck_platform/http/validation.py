"""Request validation errors, field by field, in the caller's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crosscheck_platform.i18n import Language, translate

# pydantic error types -> message keys; anything else reads as "invalid".
_KEYS = {
    "missing": "validation.missing",
    "string_too_short": "validation.too_short",
    "too_short": "validation.too_short",
    "string_too_long": "validation.too_long",
    "too_long": "validation.too_long",
    "extra_forbidden": "validation.extra",
    "greater_than": "validation.above",
    "greater_than_equal": "validation.at_least",
    "less_than": "validation.below",
    "less_than_equal": "validation.at_most",
    "unstorable_text": "validation.unstorable",
    "out_of_range": "validation.out_of_range",
}
_TYPE_SUFFIXES = ("_type", "_parsing")
# The bound a comparison error names, in pydantic's context of the error.
_LIMITS = ("gt", "ge", "lt", "le")


def _key(error_type: str) -> str | None:
    if error_type in _KEYS:
        return _KEYS[error_type]
    if error_type.endswith(_TYPE_SUFFIXES):
        return "validation.type"
    return None


def field_errors(errors: Sequence[Any], lang: Language) -> list[dict[str, Any]]:
    """`field` is the dotted path inside its location (body, query, path, header)."""
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        error_type = str(error.get("type", ""))
        key = _key(error_type)
        if key is not None:
            ctx = error.get("ctx") or {}
            limit = next((ctx[name] for name in _LIMITS if name in ctx), None)
            message = translate(key, lang, limit=limit)
        elif lang == "en":
            message = str(error.get("msg", translate("validation.invalid", lang)))
        else:
            message = translate("validation.invalid", lang)
        result.append(
            {
                "location": loc[0] if loc else "",
                "field": ".".join(loc[1:]),
                "type": error_type,
                "message": message,
            }
        )
    return result
