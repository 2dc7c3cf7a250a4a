"""What the hazards service says to people, in Simplified Chinese and English: the texts of
its errors' message keys (the catalogue `messages.toml` beside this module), rendered at
the edge with the errors' parameters."""

from __future__ import annotations

from importlib.resources import files

from crosscheck_platform.i18n import load, register

MESSAGES = load(files("crosscheck_hazards") / "api" / "messages.toml")


def register_messages() -> None:
    register(MESSAGES)
