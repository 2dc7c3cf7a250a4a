"""The console's own settings (prefix CROSSCHECK_CONSOLE_); the shared ones (issuer,
port, environment, rate limits) are the platform's ServiceSettings."""

from __future__ import annotations

import secrets

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CROSSCHECK_CONSOLE_", extra="ignore")

    # Where browsers reach the console: the provider sends them back to <public_url>/auth/callback.
    public_url: str = "http://127.0.0.1:8106"
    client_id: str = "crosscheck-console"
    registry_url: str = "http://127.0.0.1:8101"
    rotation_url: str = "http://127.0.0.1:8102"
    hazards_url: str = "http://127.0.0.1:8103"
    notify_url: str = "http://127.0.0.1:8104"
    ledgers_url: str = "http://127.0.0.1:8105"
    # Encrypts the session cookie; every replica needs the same one. Outside production a
    # random key is made at start (sessions then end when the process does).
    session_key: SecretStr | None = None
    session_hours: int = 10

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    def with_key(self, production: bool) -> ConsoleSettings:
        if self.session_key is not None:
            return self
        if production:
            raise ValueError("CROSSCHECK_CONSOLE_SESSION_KEY is required in production")
        return self.model_copy(update={"session_key": SecretStr(secrets.token_urlsafe(32))})

    @model_validator(mode="after")
    def _no_trailing_slash(self) -> ConsoleSettings:
        for name in ("public_url", "registry_url", "rotation_url", "hazards_url", "notify_url"):
            setattr(self, name, getattr(self, name).rstrip("/"))
        self.ledgers_url = self.ledgers_url.rstrip("/")
        return self
