"""The Kubernetes manifests (deploy/kubernetes), rendered as `kubectl apply -k` would:
every object valid against the Kubernetes schemas (kubernetes-validate, strict: unknown
fields fail), every custom resource against the structural schemas beside the manifests,
and the wiring checked against the code (ports, commands, topics, consumer groups)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
import pytest
import yaml

from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.topics import PARTITIONS, Topics, dead_letter_topic
from crosscheck_hazards.app.services import HazardsSettings
from crosscheck_platform.migrations import cli as migrate_cli

ROOT = Path(__file__).resolve().parents[1]
MANIFESTS = ROOT / "deploy" / "kubernetes"
SCHEMAS = MANIFESTS / "schemas"
KUBERNETES_VERSION = "1.32.0"
OVERLAYS = ["base", "local", "production"]
# kustomize 5.5, as kubectl 1.32 embeds it, when no kubectl or kustomize is installed.
KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5@v5.5.0"

# The five event-sourced services (Kafka and PostgreSQL), and the web console, which
# reaches only their HTTP APIs and the identity provider.
KAFKA_SERVICES = {
    "registry": 8101,
    "rotation": 8102,
    "hazards": 8103,
    "notify": 8104,
    "ledgers": 8105,
}
SERVICES = {**KAFKA_SERVICES, "console": 8106}
CONSUMER_GROUPS = {
    "rotation": (
        "rotation.roster",
        [BoundedContext.REGISTRY, BoundedContext.HAZARDS, BoundedContext.NOTIFY],
    ),
    "hazards": ("hazards.inventory", [BoundedContext.REGISTRY, BoundedContext.ROTATION]),
    "notify": ("notify.schedule", [BoundedContext.HAZARDS]),
    "ledgers": ("ledgers.ledgers", list(BoundedContext)),
}
# Groups beside the one the autoscaler follows (notify's places, read for the notices'
# place names and addresses).
MORE_GROUPS = {"notify": ("notify.places", [BoundedContext.REGISTRY, BoundedContext.HAZARDS])}
# Made by the operators (CloudNativePG, Strimzi) or by hand in production, never here.
MADE_ELSEWHERE = {
    "production": {
        "crosscheck-db-app",
        "crosscheck-db-runtime",
        "crosscheck-cluster-ca-cert",
        "notify-secrets",
        "console-secrets",
    }
    | set(KAFKA_SERVICES)
    | {"keda"},
}

Manifest = dict[str, Any]


def kustomize(overlay: Path) -> str:
    if kubectl := shutil.which("kubectl"):
        command = [kubectl, "kustomize", str(overlay)]
    elif binary := shutil.which("kustomize"):
        command = [binary, "build", str(overlay)]
    elif go := shutil.which("go"):
        command = [go, "run", KUSTOMIZE_MODULE, "build", str(overlay)]
    else:
        pytest.fail("no kubectl, kustomize or go to render the overlays with")
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


# libyaml's safe loader where PyYAML has it: the same documents, a tenth of the time.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The Kubernetes schemas are read once per file, not once per object they validate.
kubernetes_validate.utils.schema_contents = cache(kubernetes_validate.utils.schema_contents)


@cache
def rendered(overlay: str) -> tuple[Manifest, ...]:
    return tuple(d for d in yaml.load_all(kustomize(MANIFESTS / overlay), SAFE_LOADER) if d)


def of_kind(overlay: str, kind: str) -> Iterator[Manifest]:
    return (d for d in rendered(overlay) if d["kind"] == kind)


def one(overlay: str, kind: str, name: str) -> Manifest:
    (found,) = [d for d in of_kind(overlay, kind) if d["metadata"]["name"] == name]
    return found


def custom_schema(manifest: Manifest) -> Path:
    group_version = manifest["apiVersion"].replace("/", "_")
    return SCHEMAS / f"{group_version}_{manifest['kind']}.json"


@cache
def custom_validator(path: Path) -> jsonschema.protocols.Validator:
    """The validator of a structural schema, the schema itself checked once."""
    schema = json.loads(path.read_text())
    kind = jsonschema.validators.validator_for(schema)
    kind.check_schema(schema)
    return kind(schema)


def validate(manifest: Manifest) -> None:
    """Against the Kubernetes schemas, or a custom resource's structural schema."""
    group = manifest["apiVersion"].rpartition("/")[0]
    if "." in group and not group.endswith(".k8s.io"):
        schema = custom_schema(manifest)
        assert schema.exists(), f"no schema for {manifest['apiVersion']} {manifest['kind']}"
        custom_validator(schema).validate(manifest)
        return
    kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid(overlay: str) -> None:
    manifests = rendered(overlay)
    assert manifests
    for manifest in manifests:
        try:
            validate(manifest)
        except (kubernetes_validate.ValidationError, jsonschema.ValidationError) as exc:
            pytest.fail(f"{overlay}: {manifest['kind']} {manifest['metadata']['name']}: {exc}")


def test_the_validation_refuses_what_a_cluster_would() -> None:
    deployment = json.loads(json.dumps(one("production", "Deployment", "registry")))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(deployment)
    topic = json.loads(json.dumps(one("production", "KafkaTopic", "crosscheck.hazards.v1")))
    topic["spec"]["replica"] = 3
    with pytest.raises(jsonschema.ValidationError):
        validate(topic)
    user = json.loads(json.dumps(one("production", "KafkaUser", "notify")))
    user["spec"]["authorization"]["acls"][0]["operations"] = ["Wirte"]
    with pytest.raises(jsonschema.ValidationError):
        validate(user)


def scripts() -> set[str]:
    names: set[str] = set()
    for pyproject in [
        *ROOT.glob("services/*/pyproject.toml"),
        ROOT / "libs/platform/pyproject.toml",
    ]:
        names |= set(tomllib.loads(pyproject.read_text())["project"].get("scripts", {}))
    return names


def containers(manifest: Manifest) -> list[Manifest]:
    spec = manifest["spec"]
    if manifest["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return list(spec["template"]["spec"]["containers"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_deployments_run_each_service_as_the_code_expects(overlay: str) -> None:
    deployments = {d["metadata"]["name"]: d for d in of_kind(overlay, "Deployment")}
    assert set(deployments) == set(SERVICES)
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["command"] == [f"crosscheck-{name}"]
        port = container["ports"][0]["containerPort"]
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        assert env["CROSSCHECK_HTTP_PORT"] == str(port)
        if overlay != "local":
            assert port == SERVICES[name]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]) and "memory" in resources["limits"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(port)
        assert annotations["prometheus.io/path"] == "/metrics"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_command_exists(overlay: str) -> None:
    commands = {
        c["command"][0]
        for kind in ("Deployment", "Job", "CronJob")
        for d in of_kind(overlay, kind)
        for c in containers(d)
    }
    assert commands <= scripts()
    assert "crosscheck-ledgers-rebuild" in commands


@pytest.mark.parametrize("overlay", ["local", "production"])
def test_what_the_pods_reference_exists(overlay: str) -> None:
    present = {
        (d["kind"], d["metadata"]["name"]) for d in rendered(overlay) if d["kind"] != "Secret"
    } | {("Secret", d["metadata"]["name"]) for d in of_kind(overlay, "Secret")}
    elsewhere = MADE_ELSEWHERE.get(overlay, set())
    for kind in ("Deployment", "Job", "CronJob"):
        for workload in of_kind(overlay, kind):
            for container in containers(workload):
                for source in container.get("envFrom", []):
                    for key, ref_kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                        ref = source.get(key)
                        if ref and not ref.get("optional"):
                            name = ref["name"]
                            assert (ref_kind, name) in present or name in elsewhere, name
                for item in container.get("env", []):
                    ref = item.get("valueFrom", {}).get("secretKeyRef")
                    if ref and not ref.get("optional"):
                        assert ("Secret", ref["name"]) in present or ref["name"] in elsewhere
    for kind in ("HorizontalPodAutoscaler", "ScaledObject"):
        for scaler in of_kind(overlay, kind):
            assert ("Deployment", scaler["spec"]["scaleTargetRef"]["name"]) in present


def test_production_runs_in_production_with_the_identity_provider() -> None:
    config = one("production", "ConfigMap", "crosscheck-config")["data"]
    assert config["CROSSCHECK_ENVIRONMENT"] == "production"
    assert config["CROSSCHECK_OIDC_ISSUER"].startswith("https://")
    assert config["CROSSCHECK_OIDC_AUDIENCE"]
    assert config["CROSSCHECK_KAFKA_BOOTSTRAP"] == "crosscheck-kafka-bootstrap:9093"
    # Credentials come from the operators' Secrets, none from the repository.
    for secret in of_kind("production", "Secret"):
        assert not {*secret.get("data", {}), *secret.get("stringData", {})} & {
            "CROSSCHECK_DATABASE_URL",
            "password",
        }


def test_production_topics_are_the_contracts_topics_kept_forever() -> None:
    topics = {t["spec"]["topicName"]: t["spec"] for t in of_kind("production", "KafkaTopic")}
    expected = Topics().all
    assert set(topics) == set(expected) | {dead_letter_topic(t) for t in expected}
    for spec in topics.values():
        assert spec["partitions"] == PARTITIONS
        assert spec["replicas"] == 3
        assert spec["config"]["retention.ms"] == -1
        assert spec["config"]["retention.bytes"] == -1
        assert spec["config"]["min.insync.replicas"] == 2


def acls(user: str) -> list[tuple[str, str, str, set[str]]]:
    spec = one("production", "KafkaUser", user)["spec"]
    assert spec["authentication"]["type"] == "scram-sha-512"
    return [
        (
            a["resource"]["type"],
            a["resource"]["name"],
            a["resource"].get("patternType", "literal"),
            set(a["operations"]),
        )
        for a in spec["authorization"]["acls"]
    ]


def granted(user: str, operation: str, resource_type: str) -> set[str]:
    return {
        name
        for rtype, name, pattern, ops in acls(user)
        if rtype == resource_type and operation in ops and pattern == "literal"
    }


@pytest.mark.parametrize("service", list(KAFKA_SERVICES))
def test_each_service_writes_its_own_topic_and_reads_what_it_consumes(service: str) -> None:
    topics = Topics()
    group, reads = CONSUMER_GROUPS.get(service, (None, []))
    more_group, more_reads = MORE_GROUPS.get(service, (None, []))
    read_topics = {topics.of(c) for c in [*reads, *more_reads]}
    own = {topics.of(BoundedContext(service))} if service in set(BoundedContext) else set()
    assert granted(service, "Write", "topic") == own | {dead_letter_topic(t) for t in read_topics}
    assert granted(service, "Read", "topic") == read_topics
    assert granted(service, "Read", "group") == {g for g in (group, more_group) if g}
    for rtype, _, pattern, ops in acls(service):
        # Prefixed grants only describe (list the topics); nothing may create or alter.
        assert pattern == "literal" or ops == {"Describe"}
        assert not ops & {"Create", "Delete", "Alter", "AlterConfigs", "All"}, rtype


def test_outside_subscribers_only_read_the_event_topics() -> None:
    assert granted("subscriber", "Read", "topic") == set(Topics().all)
    assert not any("Write" in ops for *_, ops in acls("subscriber"))


def test_keda_scales_each_consumer_by_its_own_group() -> None:
    for scaled in of_kind("production", "ScaledObject"):
        service = scaled["spec"]["scaleTargetRef"]["name"]
        group, reads = CONSUMER_GROUPS[service]
        kafka = [t["metadata"] for t in scaled["spec"]["triggers"] if t["type"] == "kafka"]
        assert {m["consumerGroup"] for m in kafka} == {group}
        assert {m["topic"] for m in kafka} == {Topics().of(c) for c in reads}
        assert scaled["spec"]["maxReplicaCount"] <= PARTITIONS
        assert group in {name for rtype, name, _, _ in acls("keda") if rtype == "group"}


def test_http_services_scale_on_cpu_and_every_service_has_a_budget() -> None:
    hpas = {
        h["spec"]["scaleTargetRef"]["name"]
        for h in of_kind("production", "HorizontalPodAutoscaler")
    }
    keda = {s["spec"]["scaleTargetRef"]["name"] for s in of_kind("production", "ScaledObject")}
    assert hpas | keda == set(SERVICES) and not hpas & keda
    budgets = {
        p["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        for p in of_kind("production", "PodDisruptionBudget")
    }
    assert budgets == set(SERVICES)


def test_network_policies_let_in_only_the_http_and_metrics_ports() -> None:
    policies = list(of_kind("production", "NetworkPolicy"))
    assert any(
        p["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/part-of": "crosscheck"}}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and "ingress" not in p["spec"]
        and "egress" not in p["spec"]
        for p in policies
    ), "a default deny"
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            assert {p["port"] for p in rule["ports"]} <= {"http", "metrics"}
    egress_ports = {
        port["port"]
        for policy in policies
        for rule in policy["spec"].get("egress", [])
        for port in rule.get("ports", [])
    }
    # DNS, Kafka (TLS), PostgreSQL, HTTPS (identity provider, webhooks), SMTP submission,
    # and the services' http port (from the console only).
    assert egress_ports == {53, 9093, 5432, 443, 587, 465, "http"}
    to_http = [
        p["spec"]["podSelector"]
        for p in policies
        for rule in p["spec"].get("egress", [])
        if "http" in {port["port"] for port in rule.get("ports", [])}
    ]
    assert to_http == [{"matchLabels": {"app.kubernetes.io/name": "console"}}]


def test_the_console_reaches_no_database_and_no_broker() -> None:
    """It keeps no data: the pod gets no database URL, no Kafka credentials, and its
    session key from a Secret; its services are the cluster's, its address public."""
    for overlay in OVERLAYS:
        (container,) = one(overlay, "Deployment", "console")["spec"]["template"]["spec"][
            "containers"
        ]
        env = {e["name"] for e in container.get("env", [])}
        assert not {n for n in env if "DATABASE" in n or "KAFKA" in n}, overlay
        sources = {
            ref["name"]
            for source in container["envFrom"]
            for ref in (source.get("configMapRef"), source.get("secretRef"))
            if ref
        }
        assert sources == {"crosscheck-config", "console-config"}, overlay
        key = next(e for e in container["env"] if e["name"] == "CROSSCHECK_CONSOLE_SESSION_KEY")
        assert key["valueFrom"]["secretKeyRef"]["name"] == "console-secrets"
    production = one("production", "ConfigMap", "console-config")["data"]
    assert production["CROSSCHECK_CONSOLE_PUBLIC_URL"].startswith("https://")
    for name, port in KAFKA_SERVICES.items():
        assert production[f"CROSSCHECK_CONSOLE_{name.upper()}_URL"] == f"http://{name}:{port}"


def test_the_notices_qr_codes_link_where_the_public_reaches_hazards() -> None:
    """The address the QR codes on the rectification notices link below, read by the
    hazards settings from the name the manifests give it: HTTPS in production, this
    host's hazards port in the local overlay."""
    name = f"{HazardsSettings.model_config.get('env_prefix')}PUBLIC_URL"
    assert name == "CROSSCHECK_HAZARDS_PUBLIC_URL"
    for overlay in OVERLAYS:
        (container,) = one(overlay, "Deployment", "hazards")["spec"]["template"]["spec"][
            "containers"
        ]
        sources = [s["configMapRef"]["name"] for s in container["envFrom"] if "configMapRef" in s]
        assert "hazards-config" in sources, overlay
        url = one(overlay, "ConfigMap", "hazards-config")["data"][name]
        assert HazardsSettings.model_validate({"public_url": url}).public_url == url
        if overlay == "local":
            port = next(e["value"] for e in container["env"] if e["name"] == "CROSSCHECK_HTTP_PORT")
            assert url == f"http://127.0.0.1:{port}", url
        else:
            assert url.startswith("https://") and not url.endswith("/"), (overlay, url)


def test_the_local_overlay_runs_on_the_host_against_the_local_stack() -> None:
    config = one("local", "ConfigMap", "crosscheck-config")["data"]
    assert config["CROSSCHECK_KAFKA_BOOTSTRAP"] == "127.0.0.1:9092"
    secrets = one("local", "Secret", "crosscheck-secrets")
    assert "CROSSCHECK_DATABASE_URL" in secrets["data"]
    for deployment in of_kind("local", "Deployment"):
        assert deployment["spec"]["replicas"] == 1
        assert deployment["spec"]["template"]["spec"]["hostNetwork"] is True
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["image"] == "localhost/crosscheck:dev"
        assert container["ports"][0]["containerPort"] not in SERVICES.values()
    kinds = {d["kind"] for d in rendered("local")}
    assert not kinds & {"HorizontalPodAutoscaler", "ScaledObject", "NetworkPolicy"}


RUNTIME_ROLE = "crosscheck_runtime"
MIGRATION_ROLE = "crosscheck_migrate"


def env_of(workload: Manifest) -> dict[str, Manifest]:
    (container,) = containers(workload)
    return {e["name"]: e for e in container.get("env", [])}


def secret_key(variable: Manifest) -> tuple[str, str]:
    ref = variable["valueFrom"]["secretKeyRef"]
    return ref["name"], ref["key"]


def test_production_services_connect_as_a_role_that_cannot_change_the_schemas(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two PostgreSQL roles declared in the Cluster: the migration role owns the database
    (and so the schemas it creates) and is what the migration Job and the rebuild connect
    as; the runtime role is what every service connects as, with no attribute that could
    change a schema (the rows' grants come from the Job: tests/test_migrations.py)."""
    cluster = one("production", "Cluster", "crosscheck-db")
    spec = cluster["spec"]
    initdb = spec["bootstrap"]["initdb"]
    assert initdb["owner"] == MIGRATION_ROLE
    roles = {role["name"]: role for role in spec["managed"]["roles"]}
    assert set(roles) == {MIGRATION_ROLE, RUNTIME_ROLE}
    refused = ("superuser", "createdb", "createrole", "replication", "bypassrls")
    for role in roles.values():
        assert role["ensure"] == "present" and role["login"] is True
        assert all(role[attribute] is False for attribute in refused), role["name"]
        assert not role.get("inRoles"), role["name"]
    runtime = roles[RUNTIME_ROLE]
    # No privileges through membership either (it has none; and would not inherit).
    assert runtime["inherit"] is False
    runtime_secret = runtime["passwordSecret"]["name"]
    # The migration role's password is the one the operator generated at initdb.
    assert "passwordSecret" not in roles[MIGRATION_ROLE]

    # The migration Job: the owner's URL, and the runtime role to grant the rows to, in
    # the variables crosscheck-migrate reads.
    job = env_of(one("production", "Job", "crosscheck-migrate"))
    assert secret_key(job["CROSSCHECK_MIGRATION_DATABASE_URL"]) == ("crosscheck-db-app", "uri")
    assert job["CROSSCHECK_DB_RUNTIME_ROLE"]["value"] == RUNTIME_ROLE
    assert "CROSSCHECK_DATABASE_URL" not in job
    monkeypatch.setenv("CROSSCHECK_MIGRATION_DATABASE_URL", "postgresql://owner@db/x")
    monkeypatch.setenv("CROSSCHECK_DATABASE_URL", "postgresql://runtime@db/x")
    assert migrate_cli._url() == "postgresql://owner@db/x"
    assert "CROSSCHECK_DB_RUNTIME_ROLE" in Path(migrate_cli.__file__).read_text()

    # The rebuild builds new tables and swaps them in: the migration role too.
    rebuild = env_of(one("production", "CronJob", "ledgers-rebuild"))
    assert secret_key(rebuild["CROSSCHECK_DATABASE_URL"]) == ("crosscheck-db-app", "uri")

    # Every service that reaches the database: as the runtime role, on the primary.
    for name in KAFKA_SERVICES:
        env = env_of(one("production", "Deployment", name))
        url = urlsplit(env["CROSSCHECK_DATABASE_URL"]["value"])
        assert url.username == RUNTIME_ROLE, name
        assert url.hostname == f"{cluster['metadata']['name']}-rw", name
        assert url.path == f"/{initdb['database']}", name
        # Kubernetes expands $(NAME) from variables defined before it in the list.
        assert url.password is not None and url.password.startswith("$("), name
        variable = url.password[2:-1]
        assert list(env).index(variable) < list(env).index("CROSSCHECK_DATABASE_URL"), name
        assert secret_key(env[variable]) == (runtime_secret, "password"), name
    # Nothing that serves reads the owner's Secret.
    for deployment in of_kind("production", "Deployment"):
        assert "crosscheck-db-app" not in json.dumps(deployment), deployment["metadata"]["name"]


RESULTS = Path(__file__).resolve().parents[1] / "bench" / "RESULTS.md"


def _mebibytes(quantity: str) -> int:
    assert quantity.endswith("Mi"), quantity
    return int(quantity.removesuffix("Mi"))


def derived_from_measurements() -> dict[str, tuple[int, int, int]]:
    """bench/RESULTS.md's table under "Requests and limits derived": per service the
    measured peak (MiB), the memory request and limit (Mi)."""
    text = RESULTS.read_text(encoding="utf-8")
    section = text.split("### Requests and limits derived", 1)[1].split("\n#", 1)[0]
    rows: dict[str, tuple[int, int, int]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] in SERVICES:
            name, peak, request, limit, _cpu = cells
            rows[name] = (int(peak), _mebibytes(request), _mebibytes(limit))
    return rows


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_memory_requests_and_limits_are_the_measured_ones(overlay: str) -> None:
    """Request = 1.25 x the peak resident memory measured (bench/RESULTS.md), rounded up
    to 32 Mi; limit = twice the request; and the Deployments carry exactly these."""
    derived = derived_from_measurements()
    assert set(derived) == set(SERVICES)
    for name, (peak, request, limit) in derived.items():
        assert request == 32 * -(-(peak * 5) // 128), name  # ceil(1.25 x peak / 32) x 32
        assert limit == 2 * request, name
    for deployment in of_kind(overlay, "Deployment"):
        name = deployment["metadata"]["name"]
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        resources = container["resources"]
        _, request, limit = derived[name]
        assert _mebibytes(resources["requests"]["memory"]) == request, name
        assert _mebibytes(resources["limits"]["memory"]) == limit, name
