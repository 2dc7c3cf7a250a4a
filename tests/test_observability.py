"""The dashboard and the alert rules (deploy/observability) ask only for series that
exist: every Crosscheck metric they name is scraped here from a real service process
(notify: requests, outbox, consumer, its own backlog) or rendered by the rebuild's
progress; Kafka's come from Strimzi's Kafka Exporter."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from crosscheck_ledgers.app.progress import RebuildProgress
from crosscheck_platform.db import Database
from crosscheck_testing.infra import Infra
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

OBSERVABILITY = Path(__file__).resolve().parents[1] / "deploy" / "observability"
METRIC = re.compile(r"\b((?:crosscheck|http|kafka)_[a-z_]+)\b")
# Strimzi's Kafka Exporter (kafkaExporter in the production Kafka resource).
KAFKA_EXPORTER = {
    "kafka_topic_partition_under_replicated_partition",
    "kafka_topic_partition_in_sync_replica",
}


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((OBSERVABILITY / "alerts.yaml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    dashboard = json.loads((OBSERVABILITY / "grafana-dashboard.json").read_text())
    return [
        target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])
    ] + [v["query"] for v in dashboard["templating"]["list"] if v["type"] == "query"]


def names(text: str) -> set[str]:
    out = set()
    for family in text_string_to_metric_families(text):
        out.add(family.name)
        if family.type == "counter":
            out.add(family.name + "_total")
        out |= {s.name for s in family.samples}
    return out


def test_alert_rules_are_complete() -> None:
    rules = alert_rules()
    assert {r["alert"] for r in rules} >= {
        "CrosscheckConsumerLagHigh",
        "CrosscheckOutboxBacklog",
        "CrosscheckDeadLetters",
        "KafkaUnderReplicatedPartitions",
    }
    for rule in rules:
        assert rule["expr"].strip() and rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]


async def test_dashboard_and_alerts_name_only_series_that_exist(
    infra: Infra, unique_name: str
) -> None:
    port = free_port()
    env = service_env(infra, schema=unique_name, namespace=unique_name, secret="x" * 40, port=port)
    try:
        async with (
            service_process("crosscheck_notify.main", env, port) as (base, _),
            httpx.AsyncClient(base_url=base) as client,
        ):
            assert (await client.get("/healthz")).status_code == 200
            scraped = names((await client.get("/metrics")).text)
    finally:
        cleanup = await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
        await cleanup.execute(f"DROP SCHEMA IF EXISTS {unique_name} CASCADE")
        await cleanup.close()
    rebuild = CollectorRegistry()
    RebuildProgress(rebuild)
    known = scraped | names(generate_latest(rebuild).decode()) | KAFKA_EXPORTER
    for expected in (
        "http_request_duration_seconds_bucket",
        "crosscheck_outbox_pending",
        "crosscheck_consumer_lag",
        "crosscheck_dead_letters_total",
        "crosscheck_notify_due_unsent",
    ):
        assert expected in scraped, expected
    wanted = {
        name
        for expr in [r["expr"] for r in alert_rules()] + dashboard_exprs()
        for name in METRIC.findall(expr)
    }
    assert wanted - known == set()
    assert len(wanted) >= 12


@pytest.mark.parametrize("name", ["alerts.yaml", "scrape.yaml"])
def test_the_files_are_yaml(name: str) -> None:
    assert yaml.safe_load((OBSERVABILITY / name).read_text())
