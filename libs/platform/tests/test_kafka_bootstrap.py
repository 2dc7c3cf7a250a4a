"""The bootstrap setting becomes the list of brokers every Kafka client is given."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crosscheck_platform.kafka import BadBootstrap, bootstrap_servers
from crosscheck_platform.settings import ServiceSettings

THREE = "127.0.0.1:9092,127.0.0.1:9094,127.0.0.1:9096"


def test_the_three_broker_stack_setting_is_three_brokers() -> None:
    assert bootstrap_servers(THREE) == ["127.0.0.1:9092", "127.0.0.1:9094", "127.0.0.1:9096"]


def test_one_broker_is_a_list_of_one() -> None:
    assert bootstrap_servers("127.0.0.1:9092") == ["127.0.0.1:9092"]


def test_spaces_around_entries_are_tolerated() -> None:
    assert bootstrap_servers(" kafka-0.kafka:9092 ,  kafka-1.kafka:9092 ") == [
        "kafka-0.kafka:9092",
        "kafka-1.kafka:9092",
    ]


def test_ipv6_addresses_are_bracketed() -> None:
    assert bootstrap_servers("[::1]:9092,[fd00::2]:9093") == ["[::1]:9092", "[fd00::2]:9093"]


def test_a_parsed_list_parses_to_itself() -> None:
    once = bootstrap_servers(THREE)
    assert bootstrap_servers(once) == once
    assert bootstrap_servers(["a:1,b:2", "c:3"]) == ["a:1", "b:2", "c:3"]


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("127.0.0.1", "'127.0.0.1' has no port"),
        ("127.0.0.1:9092;127.0.0.1:9094", "'127.0.0.1:9092;127.0.0.1:9094' has no valid host"),
        ("127.0.0.1:0", "'127.0.0.1:0' has no valid port"),
        ("127.0.0.1:65536", "'127.0.0.1:65536' has no valid port"),
        ("127.0.0.1:90x2", "'127.0.0.1:90x2' has no valid port"),
        (":9092", "':9092' has no valid host"),
        ("PLAINTEXT://broker:9092", "'PLAINTEXT://broker:9092' has no valid host"),
        ("::1:9092", "'::1:9092' has no valid host"),
        ("[::1]9092", "'[::1]9092' is not host:port"),
        ("[not-an-address]:9092", "'[not-an-address]:9092' has no valid host"),
        ("-broker:9092", "'-broker:9092' has no valid host"),
        ("a:1,,b:2", "entry 2 is empty"),
        ("a:1,", "entry 2 is empty"),
    ],
)
def test_a_bad_entry_is_named(setting: str, named: str) -> None:
    with pytest.raises(BadBootstrap, match="entry") as caught:
        bootstrap_servers(setting)
    assert named in str(caught.value)


@pytest.mark.parametrize("setting", ["", "  ", " , "])
def test_no_broker_at_all_is_refused(setting: str) -> None:
    with pytest.raises(BadBootstrap, match="no Kafka broker given"):
        bootstrap_servers(setting)


def test_settings_refuse_a_bad_bootstrap_when_the_service_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CROSSCHECK_KAFKA_BOOTSTRAP", "127.0.0.1:9092, 127.0.0.1")
    with pytest.raises(ValidationError, match="kafka_bootstrap") as caught:
        ServiceSettings()
    assert "'127.0.0.1' has no port" in str(caught.value)


def test_settings_keep_the_entries_without_the_spaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_KAFKA_BOOTSTRAP", "127.0.0.1:9092, 127.0.0.1:9094")
    assert ServiceSettings().kafka_bootstrap == "127.0.0.1:9092,127.0.0.1:9094"
