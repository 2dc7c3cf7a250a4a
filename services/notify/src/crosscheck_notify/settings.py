"""Notify settings from the environment (prefix CROSSCHECK_NOTIFY_), read at start-up."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from crosscheck_notify.domain.policy import NotifyPolicy, QuietHours

DEVELOPMENT_WEBHOOK_SECRET = "crosscheck-webhook-development-secret"


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CROSSCHECK_NOTIFY_", extra="ignore")

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
