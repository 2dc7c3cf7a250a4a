"""Settings from the environment (prefix CROSSCHECK_), built at start-up, never at import."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "crosscheck-development-secret-change-me"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CROSSCHECK_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "postgresql://postgres@127.0.0.1:55432/crosscheck"
    kafka_bootstrap: str = "127.0.0.1:9092"
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
    # Requests per client, in token buckets kept in each process's memory: with N
    # replicas behind a load balancer a client may reach up to N times these. The
    # defaults only stop floods; the benchmarks send hundreds of commands a second from
    # one principal and one address and must not be throttled.
    rate_limit_enabled: bool = True
    rate_limit_principal_per_second: float = Field(default=1000.0, gt=0)
    rate_limit_principal_burst: int = Field(default=2000, ge=1)
    rate_limit_address_per_second: float = Field(default=2000.0, gt=0)
    rate_limit_address_burst: int = Field(default=4000, ge=1)
    # Proxies whose X-Forwarded-For names the client (uvicorn's forwarded_allow_ips:
    # addresses or networks, comma-separated, "*" for any). Unset: the socket peer is
    # the client, whatever a request's headers claim.
    trusted_proxies: str | None = None

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
