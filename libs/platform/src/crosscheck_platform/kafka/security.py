"""How every Kafka client the platform builds authenticates and encrypts: producers,
consumers (FastStream's and aiokafka's), admin clients, the rebuild, the dead-letter
tool. Read from the environment when a client is built (at start-up):

- `CROSSCHECK_KAFKA_SECURITY_PROTOCOL`: `PLAINTEXT` (default), `SSL`, `SASL_PLAINTEXT`
  or `SASL_SSL`;
- `CROSSCHECK_KAFKA_SASL_MECHANISM`: `SCRAM-SHA-512` (default), `SCRAM-SHA-256`, `PLAIN`;
- `CROSSCHECK_KAFKA_SASL_USERNAME`, `_SASL_PASSWORD`: the service's own principal;
- `CROSSCHECK_KAFKA_SSL_CAFILE`: the CA the brokers' certificates are checked against;
- `CROSSCHECK_KAFKA_SSL_CERTFILE`, `_SSL_KEYFILE`: a client certificate (mTLS).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crosscheck_platform.kafka.bootstrap import bootstrap_servers


class KafkaSecurity(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CROSSCHECK_KAFKA_", extra="ignore")

    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None

    @model_validator(mode="after")
    def _complete(self) -> KafkaSecurity:
        if self.sasl and not (self.sasl_username and self.sasl_password):
            raise ValueError(
                f"CROSSCHECK_KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs "
                "CROSSCHECK_KAFKA_SASL_USERNAME and CROSSCHECK_KAFKA_SASL_PASSWORD"
            )
        return self

    @property
    def sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def tls(self) -> bool:
        return self.security_protocol.endswith("SSL")

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(
            cafile=str(self.ssl_cafile) if self.ssl_cafile else None
        )
        if self.ssl_certfile:
            context.load_cert_chain(
                str(self.ssl_certfile), str(self.ssl_keyfile) if self.ssl_keyfile else None
            )
        return context

    def aiokafka_options(self) -> dict[str, Any]:
        """The keyword arguments aiokafka's producer, consumer and admin client take."""
        options: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.tls:
            options["ssl_context"] = self.ssl_context()
        if self.sasl:
            assert self.sasl_password is not None
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.sasl_username
            options["sasl_plain_password"] = self.sasl_password.get_secret_value()
        return options


def client_options(
    bootstrap: str | Iterable[str], security: KafkaSecurity | None = None
) -> dict[str, Any]:
    """bootstrap_servers and the security settings, for any aiokafka client."""
    chosen = security if security is not None else KafkaSecurity()
    return {"bootstrap_servers": bootstrap_servers(bootstrap), **chosen.aiokafka_options()}
