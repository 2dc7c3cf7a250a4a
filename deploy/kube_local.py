"""The local overlay, rendered, made fit for `podman kube play` (used by deploy/kube-local).

    python deploy/kube_local.py fit RENDERED.yaml OUT.yaml [--issuer URL] [--namespace NAME]
    python deploy/kube_local.py cleanup NAME     drop NAME's schemas and delete its topics

Keeps what podman runs (Deployments, ConfigMaps, Secrets as ConfigMaps) and says what it leaves out
(Services, PodDisruptionBudgets, the rebuild's CronJob, the ServiceAccount: a cluster's
business); drops the containers' ports and probes, which podman cannot use here.
`--issuer` replaces the identity provider's URL; `--namespace` gives every service its
own topic namespace and database schemas (`<name>_<service>`), so that a check run
leaves the shared stack's own data alone (and `cleanup` removes its own).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
from pathlib import Path
from typing import Any

import yaml

from crosscheck_platform.db import Database
from crosscheck_platform.kafka import delete_topics_under

SERVICES = ("registry", "rotation", "hazards", "notify", "ledgers")
PLAYED = {"Deployment", "ConfigMap", "Secret"}


def as_config_map(secret: dict[str, Any]) -> dict[str, Any]:
    """podman 4.3 makes a podman secret of a Secret and then cannot read it back for
    envFrom ("not valid JSON"). The local overlay's Secrets hold development values only,
    so here they go in as ConfigMaps."""
    data = {k: base64.b64decode(v).decode() for k, v in secret.get("data", {}).items()}
    data.update(secret.get("stringData", {}))
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": secret["metadata"], "data": data}


def fit(docs: list[dict[str, Any]], issuer: str | None, namespace: str | None) -> list[Any]:
    kept = []
    for doc in docs:
        if doc["kind"] not in PLAYED:
            print(f"kube-local: left out {doc['kind']} {doc['metadata']['name']}", file=sys.stderr)
            continue
        if doc["kind"] == "Secret":
            doc = as_config_map(doc)
        if doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == "crosscheck-config":
            if issuer:
                doc["data"]["CROSSCHECK_OIDC_ISSUER"] = issuer
            if namespace:
                doc["data"]["CROSSCHECK_TOPIC_NAMESPACE"] = namespace
        if doc["kind"] == "Deployment":
            (container,) = doc["spec"]["template"]["spec"]["containers"]
            # On the host's network podman refuses port mappings, which it makes of
            # containerPort; and it would run the probes with curl inside the image,
            # which has none: deploy/kube-local checks /readyz itself.
            del container["ports"]
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    source["configMapRef"] = source.pop("secretRef")
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                container.pop(probe, None)
            # A Secret that may be missing (the console's session key, in development)
            # is left out: podman cannot read Secrets here (see as_config_map).
            container["env"] = [
                item
                for item in container.get("env", [])
                if not item.get("valueFrom", {}).get("secretKeyRef", {}).get("optional")
            ]
            service = doc["metadata"]["name"]
            if namespace and service in SERVICES:
                container["env"].append(
                    {"name": "CROSSCHECK_DB_SCHEMA", "value": f"{namespace}_{service}"}
                )
        kept.append(doc)
    return kept


async def cleanup(namespace: str) -> None:
    bootstrap = os.environ.get("CROSSCHECK_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    url = os.environ.get(
        "CROSSCHECK_DATABASE_URL", "postgresql://postgres@127.0.0.1:55432/crosscheck"
    )
    db = await Database.connect(url, "public", min_size=1, max_size=1)
    try:
        for service in SERVICES:
            await db.execute(f"DROP SCHEMA IF EXISTS {namespace}_{service} CASCADE")
    finally:
        await db.close()
    deleted = await delete_topics_under(bootstrap, [f"{namespace}."])
    print(f"kube-local: dropped {namespace}'s schemas and {deleted} topics", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    fitting = commands.add_parser("fit")
    fitting.add_argument("rendered", type=Path)
    fitting.add_argument("out", type=Path)
    fitting.add_argument("--issuer")
    fitting.add_argument("--namespace")
    cleaning = commands.add_parser("cleanup")
    cleaning.add_argument("namespace")
    args = parser.parse_args()
    if args.command == "cleanup":
        asyncio.run(cleanup(args.namespace))
        return
    docs = [d for d in yaml.safe_load_all(args.rendered.read_text()) if d]
    kept = fit(docs, args.issuer, args.namespace)
    args.out.write_text(yaml.safe_dump_all(kept, sort_keys=False))


if __name__ == "__main__":
    main()
