"""Notify settings from the environment (prefix CROSSCHECK_NOTIFY_), read at start-up."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crosscheck_notify.domain.policy import NotifyPolicy, QuietHours

DEVELOPMENT_WEBHOOK_SECRET = "crosscheck-webhook-development-secret"
MIN_PRODUCTION_SECRET = 32

Environment = Literal["development", "test", "production"]


class UnsafeWebhookSecret(ValueError):
    pass


def refuse_unsafe_webhook_secret(environment: Environment, secret: str) -> None:
    """Receivers trust a webhook by its signature: in production the development secret
    (public in this repository) or a short one would let anybody forge notices."""
    if environment == "production" and (
        secret == DEVELOPMENT_WEBHOOK_SECRET or len(secret) < MIN_PRODUCTION_SECRET
    ):
        raise UnsafeWebhookSecret(
            "CROSSCHECK_NOTIFY_WEBHOOK_SECRET must be set to a random value of "
            f"{MIN_PRODUCTION_SECRET}+ characters in production"
        )


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CROSSCHECK_NOTIFY_", extra="ignore", populate_by_name=True
    )

    environment: Environment = Field(default="development", alias="CROSSCHECK_ENVIRONMENT")
    """The platform's CROSSCHECK_ENVIRONMENT: production refuses the development secret."""

    reminder_days: list[float] = Field(default_factory=lambda: [3.0, 1.0])
    escalation_grace_days: float = 3.0
    reverification_days: float = 10.0
    reverification_grace_days: float = 5.0
    quiet_start: time = time(22, 0)
    quiet_end: time = time(8, 0)
    max_attempts: int = Field(default=6, ge=1, le=1000)
    retry_base_s: float = Field(default=60.0, gt=0)

    workers: int = Field(default=2, ge=0, le=64)
    """Claim loops in this process; replicas add more without double-sending."""
    batch_size: int = Field(default=200, ge=1, le=5000)
    concurrency: int = Field(default=64, ge=1, le=1000)
    poll_interval_s: float = Field(default=1.0, gt=0)
    lookahead_s: float = Field(default=10.0, ge=0, le=300)
    """Notices coming due this far ahead are claimed, rendered and signed before their
    instant (the signature's timestamp is the due instant), then fired on time."""
    lease_s: float = Field(default=10.0, gt=0)
    """How long a claim is kept from other workers without its worker's heartbeat (which
    renews it four times a lease): a worker that died or stalled is taken over after it."""

    webhook_secret: str = DEVELOPMENT_WEBHOOK_SECRET
    webhook_timeout_s: float = 10.0
    webhook_connections: int = Field(default=64, ge=1, le=1000)
    """Keep-alive connections of the process's HTTP client (webhooks, SMS gateway)."""
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "crosscheck@localhost"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_start_tls: bool = False
    sms_gateway_url: str | None = None
    directory_file: Path | None = None
    """JSON contacts; without it, contacts come from the service's `contacts` table."""

    @model_validator(mode="after")
    def _refuse_unsafe_secret(self) -> NotifySettings:
        refuse_unsafe_webhook_secret(self.environment, self.webhook_secret)
        return self

    def policy(self) -> NotifyPolicy:
        return NotifyPolicy(
            reminder_offsets=tuple(timedelta(days=d) for d in self.reminder_days),
            escalation_grace=timedelta(days=self.escalation_grace_days),
            reverification_after=timedelta(days=self.reverification_days),
            reverification_grace=timedelta(days=self.reverification_grace_days),
            quiet_hours=QuietHours(self.quiet_start, self.quiet_end),
            max_attempts=self.max_attempts,
            retry_base=timedelta(seconds=self.retry_base_s),
        )
