"""Settings from the environment (prefix CROSSCHECK_), built at start-up, never at import."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crosscheck_platform.kafka.bootstrap import bootstrap_servers

DEVELOPMENT_SECRET = "crosscheck-development-secret-change-me"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CROSSCHECK_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "postgresql://postgres@127.0.0.1:55432/crosscheck"
    # Comma-separated host:port entries; see crosscheck_platform.kafka.bootstrap.
    kafka_bootstrap: str = "127.0.0.1:9092"
    # False when the deployment creates the topics: services then only check them.
    kafka_create_topics: bool = True
    # Replicas of the topics a service creates; by default min(3, brokers in the cluster).
    kafka_replication_factor: int | None = Field(default=None, ge=1)
    # Prefix for topic names, so several stacks (or tests) can share one broker.
    topic_namespace: str = ""
    # Overrides the service's default schema (tests give each run its own).
    db_schema: str | None = None
    jwt_secret: str = DEVELOPMENT_SECRET
    jwt_issuer: str = "crosscheck"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    relay_batch_size: int = Field(default=500, ge=1, le=10_000)

    @field_validator("kafka_bootstrap")
    @classmethod
    def _brokers_are_host_port(cls, value: str) -> str:
        # A mistyped broker fails here, when the service starts, not in a client later.
        return ",".join(bootstrap_servers(value))

    @model_validator(mode="after")
    def _refuse_unsafe_secret(self) -> ServiceSettings:
        if self.environment == "production" and (
            self.jwt_secret == DEVELOPMENT_SECRET or len(self.jwt_secret) < 32
        ):
            raise ValueError(
                "CROSSCHECK_JWT_SECRET must be set to a random value of 32+ characters "
                "in production"
            )
        return self
