"""Every text the console shows, Simplified Chinese first, English beside it: the
catalogue `texts.toml` beside this module."""

from __future__ import annotations

from importlib.resources import files

from crosscheck_platform.i18n import load, register

TEXTS = load(files("crosscheck_console") / "api" / "texts.toml")


def register_texts() -> None:
    register(TEXTS)
