"""The rotation service's texts, Chinese first, registered with the platform catalogue:
kept as data in `messages.toml` beside this module (the causes of an impossible plan,
the suggestions that go with them, and the other messages)."""

from __future__ import annotations

from importlib.resources import files

from crosscheck_platform import i18n

_CATALOGUE = files("crosscheck_rotation") / "api" / "messages.toml"
CAUSES = i18n.load(_CATALOGUE, "causes")
SUGGESTIONS = i18n.load(_CATALOGUE, "suggestions")
OTHER = i18n.load(_CATALOGUE, "other")


def register() -> None:
    """Every cause is registered with every suggestion as one message, so an error reads
    as a whole sentence in the caller's language."""
    messages = dict(OTHER)
    for rule, (czh, cen) in CAUSES.items():
        messages[f"rotation.cause.{rule}"] = (czh, cen)
        for hint, (szh, sen) in SUGGESTIONS.items():
            messages[f"rotation.infeasible.{rule}.{hint}"] = (f"{czh}。{szh}", f"{cen} {sen}")
    for hint, texts in SUGGESTIONS.items():
        messages[f"rotation.suggest.{hint}"] = texts
    i18n.register(messages)
