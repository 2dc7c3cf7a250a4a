"""Every Kafka client the platform builds takes the same security settings."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from pydantic import ValidationError

from crosscheck_platform.kafka.security import KafkaSecurity, client_options


def test_plaintext_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CROSSCHECK_KAFKA_SECURITY_PROTOCOL", raising=False)
    assert client_options("127.0.0.1:9092, 127.0.0.1:9094") == {
        "bootstrap_servers": ["127.0.0.1:9092", "127.0.0.1:9094"],
        "security_protocol": "PLAINTEXT",
    }


def test_sasl_ssl_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("CROSSCHECK_KAFKA_SASL_USERNAME", "hazards")
    monkeypatch.setenv("CROSSCHECK_KAFKA_SASL_PASSWORD", "s3cret-password")
    options = client_options("broker:9093")
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "hazards"
    assert options["sasl_plain_password"] == "s3cret-password"
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    assert options["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    assert "s3cret-password" not in repr(KafkaSecurity())


def test_sasl_without_credentials_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.delenv("CROSSCHECK_KAFKA_SASL_USERNAME", raising=False)
    monkeypatch.delenv("CROSSCHECK_KAFKA_SASL_PASSWORD", raising=False)
    with pytest.raises(ValidationError, match="CROSSCHECK_KAFKA_SASL_USERNAME"):
        KafkaSecurity()


def test_a_missing_ca_file_fails_when_the_client_is_built(tmp_path: Path) -> None:
    security = KafkaSecurity(security_protocol="SSL", ssl_cafile=tmp_path / "absent.pem")
    with pytest.raises(FileNotFoundError):
        client_options("broker:9093", security)
