"""Texts of county campaigns, Chinese first, registered with the platform catalogue:
kept as data in `county_texts.toml` beside this module."""

from __future__ import annotations

from importlib.resources import files

from crosscheck_platform import i18n

TEXTS = i18n.load(files("crosscheck_rotation") / "api" / "county_texts.toml")


def register() -> None:
    i18n.register(TEXTS)
