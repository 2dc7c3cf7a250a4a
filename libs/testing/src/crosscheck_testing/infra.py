"""Where the tests' Kafka, PostgreSQL and identity provider come from — decided here and
nowhere else — and the OpenID Connect issuer whose tokens the services under test trust
(a LocalIssuer of the test session; tests of login itself use the stack's provider).

1. CROSSCHECK_KAFKA_BOOTSTRAP and CROSSCHECK_DATABASE_URL in the environment (CI, or a
   developer who started `deploy/stack up`);
2. else the env file that `deploy/stack up` writes;
3. else, where a Docker engine answers, testcontainers;
4. else a clear failure saying how to start the local stack (never a silent skip).

The identity provider (Keycloak) is looked up the same way on its own — the CROSSCHECK_IDP_*
and CROSSCHECK_OIDC_* variables, else the env file — since a shell that exports only the
Kafka and PostgreSQL variables still has the stack's Keycloak. Tests that need it and find
none fail through the `identity` fixture, saying how to get one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from crosscheck_platform.identity.settings import IdentitySettings
from crosscheck_platform.settings import ServiceSettings
from crosscheck_testing.issuer import LocalIssuer

STACK_ENV_FILE = Path(__file__).resolve().parents[5] / "deploy" / ".state" / "env"

IDP_VARIABLES = (
    "CROSSCHECK_IDP_URL",
    "CROSSCHECK_OIDC_ISSUER",
    "CROSSCHECK_OIDC_AUDIENCE",
    "CROSSCHECK_IDP_CLIENT_ID",
    "CROSSCHECK_IDP_CLIENT_SECRET",
)


@dataclass(frozen=True)
class IdentityInfra:
    """The OpenID Connect provider: the registry's client settings, and the issuer and
    audience that services expect in access tokens."""

    settings: IdentitySettings
    issuer: str
    audience: str
    origin: str


@dataclass(frozen=True)
class Infra:
    kafka_bootstrap: str
    database_url: str
    origin: str
    issuer: LocalIssuer
    identity: IdentityInfra | None = None

    def service_settings(self, namespace: str, schema: str) -> ServiceSettings:
        """A service's settings in test mode on this stack, under its own topic namespace
        and database schema, trusting the tokens of the session's issuer; the registry
        manages logins at the stack's identity provider when there is one (said here,
        not left to whatever the environment holds)."""
        identity = self.identity
        return ServiceSettings(
            environment="test",
            kafka_bootstrap=self.kafka_bootstrap,
            database_url=self.database_url,
            topic_namespace=namespace,
            db_schema=schema,
            oidc_issuer=self.issuer.url,
            idp_url=identity.settings.base_url if identity else None,
            idp_realm=identity.settings.realm if identity else "crosscheck",
            idp_client_id=identity.settings.client_id if identity else None,
            idp_client_secret=identity.settings.client_secret if identity else None,
        )


class InfraUnavailable(RuntimeError):
    pass


def _from_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.removeprefix("export ").strip()
            if "=" in line and not line.startswith("#"):
                name, _, value = line.partition("=")
                values[name.strip()] = value.strip().strip("'\"")
    return values


def _identity_from(values: Mapping[str, str], origin: str) -> IdentityInfra | None:
    if not all(values.get(name) for name in IDP_VARIABLES):
        return None
    settings = IdentitySettings.from_issuer(
        values["CROSSCHECK_OIDC_ISSUER"],
        client_id=values["CROSSCHECK_IDP_CLIENT_ID"],
        client_secret=values["CROSSCHECK_IDP_CLIENT_SECRET"],
        # Tests share two cores with everything else; a password hash can take seconds.
        timeout_seconds=60.0,
    )
    if settings.base_url != values["CROSSCHECK_IDP_URL"].rstrip("/"):
        raise InfraUnavailable(
            f"CROSSCHECK_OIDC_ISSUER ({settings.issuer}) is not under "
            f"CROSSCHECK_IDP_URL ({values['CROSSCHECK_IDP_URL']}) in {origin}"
        )
    return IdentityInfra(
        settings=settings,
        issuer=settings.issuer,
        audience=values["CROSSCHECK_OIDC_AUDIENCE"],
        origin=origin,
    )


def locate_identity() -> IdentityInfra | None:
    return _identity_from(os.environ, "environment") or _identity_from(
        _from_env_file(STACK_ENV_FILE), str(STACK_ENV_FILE)
    )


def _docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=False)
    return probe.returncode == 0


def _from_containers(stack: ExitStack, issuer: LocalIssuer) -> Infra:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    kafka = stack.enter_context(KafkaContainer("apache/kafka:4.1.1").with_kraft())
    postgres = stack.enter_context(PostgresContainer("postgres:15", driver=None))
    return Infra(
        kafka_bootstrap=kafka.get_bootstrap_server(),
        database_url=postgres.get_connection_url(),
        origin="testcontainers",
        issuer=issuer,
    )


def locate(stack: ExitStack) -> Infra:
    issuer = LocalIssuer()
    stack.callback(issuer.close)
    kafka = os.environ.get("CROSSCHECK_KAFKA_BOOTSTRAP")
    database = os.environ.get("CROSSCHECK_DATABASE_URL")
    identity = locate_identity()
    if kafka and database:
        return Infra(kafka, database, origin="environment", issuer=issuer, identity=identity)
    written = _from_env_file(STACK_ENV_FILE)
    if "CROSSCHECK_KAFKA_BOOTSTRAP" in written and "CROSSCHECK_DATABASE_URL" in written:
        return Infra(
            written["CROSSCHECK_KAFKA_BOOTSTRAP"],
            written["CROSSCHECK_DATABASE_URL"],
            origin=str(STACK_ENV_FILE),
            issuer=issuer,
            identity=identity,
        )
    if _docker_available():
        return _from_containers(stack, issuer)
    raise InfraUnavailable(
        "No Kafka/PostgreSQL for the tests: run `deploy/stack up` (it writes "
        "deploy/.state/env), or set CROSSCHECK_KAFKA_BOOTSTRAP and CROSSCHECK_DATABASE_URL, "
        "or provide a Docker engine for testcontainers."
    )
