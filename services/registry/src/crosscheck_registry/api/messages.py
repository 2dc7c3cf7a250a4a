"""Every text the registry shows people, in Chinese (default) and English: the catalogue
`messages.toml` beside this module, keyed as the domain's errors name them."""

from __future__ import annotations

from importlib.resources import files

from crosscheck_platform import i18n

MESSAGES = i18n.load(files("crosscheck_registry") / "api" / "messages.toml")


def register_messages() -> None:
    i18n.register(MESSAGES)
