from __future__ import annotations

import io
import json
import logging

import pytest
from pydantic import ValidationError

from crosscheck_platform.logging import JsonFormatter
from crosscheck_platform.settings import ServiceSettings


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_KAFKA_BOOTSTRAP", "10.0.0.1:9092")
    monkeypatch.setenv("CROSSCHECK_TOPIC_NAMESPACE", "staging")
    settings = ServiceSettings()
    assert settings.kafka_bootstrap == "10.0.0.1:9092"
    assert settings.topic_namespace == "staging"


def test_the_issuer_has_no_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CROSSCHECK_OIDC_ISSUER", raising=False)
    assert ServiceSettings().oidc_issuer is None
    monkeypatch.setenv("CROSSCHECK_OIDC_ISSUER", "https://id.example.gov.cn/realms/yongren")
    settings = ServiceSettings()
    assert settings.oidc_issuer == "https://id.example.gov.cn/realms/yongren"
    assert settings.oidc_audience == "crosscheck-api"


def test_settings_refuse_an_unknown_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_ENVIRONMENT", "staging")
    with pytest.raises(ValidationError):
        ServiceSettings()


def test_logs_are_one_json_object_per_line() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("registry"))
    logger = logging.getLogger("crosscheck.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    logger.warning("导入完成", extra={"rows": 68})
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "导入完成"
    assert entry["service"] == "registry"
    assert entry["rows"] == 68
    assert entry["level"] == "warning"
