"""A small message catalogue: every user-facing text in Simplified Chinese and English.

Chinese is the default (the users are township and county staff); a client that prefers
English says so with `Accept-Language: en`. Services add their own keys with `register`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib.resources.abc import Traversable
from typing import Any, Literal

Language = Literal["zh", "en"]
DEFAULT_LANGUAGE: Language = "zh"

_catalogue: dict[str, tuple[str, str]] = {
    "unauthorized": (
        "未登录或登录凭证无效,请重新登录",
        "You are not signed in or your credentials are invalid; please sign in again.",
    ),
    "identity_unavailable": (
        "暂时无法连接统一身份认证服务,请稍后重试",
        "The sign-in service cannot be reached right now; please try again shortly.",
    ),
    "token_expired": (
        "登录已过期,请重新登录",
        "Your session has expired; please sign in again.",
    ),
    "forbidden.scope": (
        "该数据不在当前账号的权限范围内",
        "This data is outside the scope of your account.",
    ),
    "forbidden.read_only": (
        "当前账号只有查看权限,不能修改数据",
        "This account may view data but not change it.",
    ),
    "forbidden.role": (
        "当前角色无权执行此操作",
        "Your role is not allowed to do this.",
    ),
    "conflict": (
        "该记录已被他人修改(版本 {expected}),请刷新后重试",
        "This record was changed by someone else (version {expected}); "
        "please refresh and try again.",
    ),
    "state_conflict": (
        "当前状态不允许此操作,请刷新后重试",
        "The record's current state does not allow this; please refresh and try again.",
    ),
    "rule_violation": ("该操作不符合业务规则", "This breaks a business rule."),
    "validation": (
        "提交的数据有误,请检查后重试",
        "The submitted data is invalid; please check it and try again.",
    ),
    "validation.missing": ("此项为必填项", "This field is required."),
    "validation.too_short": ("内容过短", "This value is too short."),
    "validation.too_long": ("内容过长", "This value is too long."),
    "validation.type": ("格式不正确", "This value has the wrong type or format."),
    "validation.extra": ("不允许的字段", "This field is not allowed."),
    "validation.invalid": ("内容不正确", "This value is invalid."),
    "validation.unstorable": (
        "内容含有无法保存的字符(如空字符)",
        "This value contains a character that cannot be stored (such as a NUL character).",
    ),
    "validation.out_of_range": ("数值超出允许范围", "This number is out of the allowed range."),
    "validation.at_least": ("不能小于 {limit}", "This must be at least {limit}."),
    "validation.at_most": ("不能大于 {limit}", "This must be at most {limit}."),
    "validation.above": ("必须大于 {limit}", "This must be greater than {limit}."),
    "validation.below": ("必须小于 {limit}", "This must be less than {limit}."),
    "not_found": ("未找到请求的内容", "The requested item was not found."),
    "method_not_allowed": ("不支持该请求方法", "This request method is not supported."),
    "http_error": ("请求无法处理", "The request could not be handled."),
    "rate_limited": (
        "请求过于频繁,请稍后再试",
        "Too many requests; please wait a moment and try again.",
    ),
    "unavailable": (
        "服务暂时不可用,请稍后重试",
        "The service is temporarily unavailable; please try again shortly.",
    ),
    "internal_error": (
        "服务器内部错误,请稍后重试",
        "Internal server error; please try again later.",
    ),
}


def register(messages: Mapping[str, tuple[str, str]]) -> None:
    """Add messages as key -> (zh, en). Registering the same text twice is harmless;
    giving an existing key different text is a bug and fails loudly."""
    for key, texts in messages.items():
        known = _catalogue.get(key)
        if known is not None and known != texts:
            raise ValueError(f"message {key!r} is already registered with other text")
    _catalogue.update(messages)


def load(catalogue: Traversable, table: str | None = None) -> dict[str, tuple[str, str]]:
    """Texts kept as data, in a TOML file beside the code that shows them: each entry
    `"key" = ["中文", "English"]`, at the top level or in `table`, in the file's order
    (the tables of the file are not entries of its top level)."""
    entries: dict[str, Any] = tomllib.loads(catalogue.read_text("utf-8"))
    if table is not None:
        entries = entries[table]
    texts = {}
    for key, value in entries.items():
        if table is None and isinstance(value, dict):
            continue
        if not (
            isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)
        ):
            raise ValueError(f"{catalogue.name}: {key!r} is not a pair of texts [zh, en]")
        texts[key] = (value[0], value[1])
    return texts


class _KeepMissing(dict[str, Any]):
    """Leaves an unfilled `{name}` visible rather than failing inside an error handler."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def translate(key: str, lang: Language = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    zh, en = _catalogue.get(key) or _catalogue["internal_error"]
    template = en if lang == "en" else zh
    return template.format_map(_KeepMissing(params))


def knows(key: str) -> bool:
    return key in _catalogue


def preferred_language(accept_language: str | None) -> Language:
    """Pick zh or en from an Accept-Language header by quality; anything else is zh."""
    best: tuple[float, Language] | None = None
    for part in (accept_language or "").split(","):
        tag, _, options = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("zh", "en"):
            continue
        quality = _quality(options)
        # Strictly greater: on equal quality the first listed language wins.
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, "en" if primary == "en" else "zh")
    return best[1] if best else DEFAULT_LANGUAGE


def _quality(options: str) -> float:
    for option in options.split(";"):
        name, _, value = option.strip().partition("=")
        if name.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0
