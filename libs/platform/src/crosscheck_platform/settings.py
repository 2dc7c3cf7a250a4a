"""Settings from the environment (prefix CROSSCHECK_), built at start-up, never at import."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crosscheck_platform.kafka.bootstrap import bootstrap_servers


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CROSSCHECK_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "postgresql://postgres@127.0.0.1:55432/crosscheck"
    # Comma-separated host:port entries; see crosscheck_platform.kafka.bootstrap.
    kafka_bootstrap: str = "127.0.0.1:9092"
    # False when the deployment creates the topics: services then only check them.
    kafka_create_topics: bool = True
    # When the brokers are another cluster than the one the schema's consumers read:
    # refuse to start, or forget their positions and read from the start (kafka.cluster).
    kafka_cluster_change: Literal["refuse", "rewind"] = "refuse"
    # Replicas of the topics a service creates; by default min(3, brokers in the cluster).
    kafka_replication_factor: int | None = Field(default=None, ge=1)
    # Prefix for topic names, so several stacks (or tests) can share one broker.
    topic_namespace: str = ""
    # Overrides the service's default schema (tests give each run its own).
    db_schema: str | None = None
    # Whose tokens to trust. No default: a service that answers people refuses to start
    # without it (see auth.verifier.IssuerNotConfigured); tools that only read topics or
    # tables do not need it.
    oidc_issuer: str | None = None
    oidc_audience: str = "crosscheck-api"
    # Where the issuer publishes its keys, when not where its discovery document says.
    oidc_jwks_url: str | None = None
    # The registry's own client at the provider, to give people logins (its service
    # account may manage users of the realm, nothing more). The provider's admin API is at
    # idp_url (Keycloak's root) and idp_realm; without idp_url, where the issuer says.
    idp_url: str | None = None
    idp_realm: str = "crosscheck"
    idp_client_id: str | None = None
    idp_client_secret: SecretStr | None = None
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

    @field_validator("kafka_bootstrap")
    @classmethod
    def _brokers_are_host_port(cls, value: str) -> str:
        # A mistyped broker fails here, when the service starts, not in a client later.
        return ",".join(bootstrap_servers(value))
