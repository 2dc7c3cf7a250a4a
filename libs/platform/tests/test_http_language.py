"""Language choice and the message catalogue."""

from __future__ import annotations

import pytest

from crosscheck_platform.i18n import preferred_language, register, translate


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh"),
        ("", "zh"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("zh;q=0.5, en;q=0.8", "en"),
        ("fr-FR, de", "zh"),
        ("en;q=0", "zh"),
        ("*", "zh"),
        ("en, zh", "en"),
    ],
)
def test_preferred_language(header: str | None, expected: str) -> None:
    assert preferred_language(header) == expected


def test_messages_fill_their_parameters() -> None:
    assert translate("conflict", "zh", expected=4) == "该记录已被他人修改(版本 4),请刷新后重试"
    assert "version 4" in translate("conflict", "en", expected=4)
    # A forgotten parameter shows as its placeholder instead of breaking an error answer.
    assert "{expected}" in translate("conflict", "zh")


def test_services_register_their_own_messages() -> None:
    register({"test.overdue": ("整改已逾期 {days} 天", "Rectification overdue by {days} days")})
    register({"test.overdue": ("整改已逾期 {days} 天", "Rectification overdue by {days} days")})
    assert translate("test.overdue", "zh", days=3) == "整改已逾期 3 天"
    assert translate("test.overdue", "en", days=3) == "Rectification overdue by 3 days"
    with pytest.raises(ValueError, match="already registered"):
        register({"test.overdue": ("别的", "other")})
