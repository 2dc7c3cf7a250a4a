"""A Kafka broker with SASL_SSL (SCRAM-SHA-512) and ACLs, one principal per service.

    python3 deploy/secure_kafka.py up | down | env SERVICE | status

Run by `deploy/stack up --secure` beside the plain stack (its own ports and folder, so
the plain broker keeps serving). Clients connect on 127.0.0.1:9192 (SASL_SSL, the
stack's own CA in `deploy/.state/kafka-secure/tls/ca.crt`); the broker talks to itself
over mutual TLS. Each service may write only its own topic (and the dead-letter twins
of what it reads), read what it consumes and use its own consumer groups; `subscriber`
is the read-only principal for outside subscribers. Topics are made here, as a
deployment makes them (services run with CROSSCHECK_KAFKA_CREATE_TOPICS=false).
`env SERVICE` prints the settings a service (or `subscriber`) runs with.

Standard library only, so the stack script can run it before any install.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
STATE = Path(os.environ.get("CROSSCHECK_SECURE_KAFKA_STATE", DEPLOY / ".state" / "kafka-secure"))
LIBS = Path(os.environ.get("CROSSCHECK_KAFKA_LIBS", DEPLOY / ".cache" / "kafka-libs"))
PORT = int(os.environ.get("CROSSCHECK_SECURE_KAFKA_PORT", "9192"))
NAMESPACE = os.environ.get("CROSSCHECK_TOPIC_NAMESPACE", "")
SCHEMA_PREFIX = os.environ.get("CROSSCHECK_SECURE_KAFKA_SCHEMA_PREFIX", "")
"""Consumer groups are `<schema>.<consumer>`; a service's schema is its name, after this
prefix when several stacks share a database (the tests' schemas)."""
PARTITIONS = 6

CONTEXTS = ("registry", "rotation", "hazards", "notify")
READS = {
    "registry": ("registry",),
    "rotation": ("registry", "hazards", "notify"),
    "hazards": ("registry", "rotation"),
    "notify": ("registry", "hazards"),
    "ledgers": CONTEXTS,
}
"""What each service consumes (its consumers' contexts)."""
PRINCIPALS = (*READS, "subscriber")
_SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule required"


def topic(context: str) -> str:
    return f"{NAMESPACE}.crosscheck.{context}.v1" if NAMESPACE else f"crosscheck.{context}.v1"


def _run(*argv: str, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=True, capture_output=True, text=True, **options)  # type: ignore[call-overload]


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    return str(Path(home) / "bin" / "java") if home else shutil.which("java") or "java"


def _certificates(tls: Path) -> None:
    """A CA of this stack and the broker's certificate (also its client certificate for
    the broker's own connections), PEM, keys unencrypted in a folder only we read."""
    if (tls / "broker.pem").exists():
        return
    tls.mkdir(parents=True, exist_ok=True)
    tls.chmod(0o700)
    _run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
         "-subj", "/CN=crosscheck-local-ca", "-keyout", str(tls / "ca.key"),
         "-out", str(tls / "ca.crt"))  # fmt: skip
    _run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=crosscheck-broker",
         "-keyout", str(tls / "broker.key"), "-out", str(tls / "broker.csr"))  # fmt: skip
    (tls / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n"
    )
    _run("openssl", "x509", "-req", "-in", str(tls / "broker.csr"), "-CA", str(tls / "ca.crt"),
         "-CAkey", str(tls / "ca.key"), "-CAcreateserial", "-days", "3650",
         "-extfile", str(tls / "ext.cnf"), "-out", str(tls / "broker.crt"))  # fmt: skip
    (tls / "broker.pem").write_text(
        (tls / "broker.key").read_text() + (tls / "broker.crt").read_text()
    )


def _passwords() -> dict[str, str]:
    stored = STATE / "passwords.json"
    if stored.exists():
        known: dict[str, str] = json.loads(stored.read_text())
        return known
    made = {name: secrets.token_urlsafe(18) for name in ("admin", *PRINCIPALS)}
    STATE.mkdir(parents=True, exist_ok=True)
    stored.write_text(json.dumps(made))
    stored.chmod(0o600)
    return made


def _server_properties(node: Path, tls: Path) -> Path:
    client, internal, controller = PORT, PORT + 1, PORT + 2
    props = node / "server.properties"
    props.write_text(
        f"""process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:{controller}
listeners=CLIENT://127.0.0.1:{client},INTERNAL://127.0.0.1:{internal},CONTROLLER://127.0.0.1:{controller}
advertised.listeners=CLIENT://127.0.0.1:{client},INTERNAL://127.0.0.1:{internal},CONTROLLER://127.0.0.1:{controller}
listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL
inter.broker.listener.name=INTERNAL
controller.listener.names=CONTROLLER
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config={_SCRAM_LOGIN};
listener.name.internal.ssl.client.auth=required
listener.name.controller.ssl.client.auth=required
ssl.keystore.type=PEM
ssl.keystore.location={tls / "broker.pem"}
ssl.truststore.type=PEM
ssl.truststore.location={tls / "ca.crt"}
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:CN=crosscheck-broker;User:admin
allow.everyone.if.no.acl.found=false
log.dirs={node / "data"}
num.partitions={PARTITIONS}
auto.create.topics.enable=false
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
"""
    )
    return props


def _admin_properties(tls: Path, password: str) -> Path:
    path = STATE / "admin.properties"
    path.write_text(
        f"""bootstrap.servers=127.0.0.1:{PORT}
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config={_SCRAM_LOGIN} username="admin" password="{password}";
ssl.truststore.type=PEM
ssl.truststore.location={tls / "ca.crt"}
"""
    )
    path.chmod(0o600)
    return path


def plan() -> list[str]:
    """The topics and, per principal, what it may do."""
    lines = [f"topic {topic(c)} {PARTITIONS}" for c in CONTEXTS]
    lines += [f"topic {topic(c)}.dlq {PARTITIONS}" for c in CONTEXTS]
    prefix = topic("").removesuffix(".v1")[:-1]  # "<ns>.crosscheck" / "crosscheck"
    for service, reads in READS.items():
        # Every service checks every event topic at start (retention, replication).
        for op in ("DESCRIBE", "DESCRIBE_CONFIGS"):
            lines.append(f"acl {service} {op} TOPIC {prefix}. PREFIXED")
        if service in CONTEXTS:
            lines.append(f"acl {service} WRITE TOPIC {topic(service)} LITERAL")
        for context in reads:
            lines.append(f"acl {service} READ TOPIC {topic(context)} LITERAL")
            lines.append(f"acl {service} WRITE TOPIC {topic(context)}.dlq LITERAL")
        lines.append(f"acl {service} READ GROUP {SCHEMA_PREFIX}{service}. PREFIXED")
        lines.append(f"acl {service} DESCRIBE CLUSTER kafka-cluster LITERAL")
    for context in CONTEXTS:
        lines.append(f"acl subscriber READ TOPIC {topic(context)} LITERAL")
    lines.append(f"acl subscriber DESCRIBE TOPIC {prefix}. PREFIXED")
    lines.append("acl subscriber READ GROUP subscriber. PREFIXED")
    return lines


def _pid() -> int | None:
    pidfile = STATE / "kafka.pid"
    if not pidfile.exists():
        return None
    pid = int(pidfile.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def up() -> None:
    if not (LIBS / "kafka-clients-4.1.1.jar").exists() and not list(LIBS.glob("kafka_2.13-*.jar")):
        sys.exit(f"secure kafka: no Kafka jars in {LIBS}: run `deploy/stack up` first")
    tls, node = STATE / "tls", STATE / "node"
    _certificates(tls)
    passwords = _passwords()
    (node / "logs").mkdir(parents=True, exist_ok=True)
    props = _server_properties(node, tls)
    classpath = f"{LIBS}/*"
    log4j = f"-Dlog4j2.configurationFile={DEPLOY / 'kafka' / 'log4j2.yaml'}"
    logs = f"-Dkafka.logs.dir={node / 'logs'}"
    if not (node / "data" / "meta.properties").exists():
        scram = []
        for name, password in passwords.items():
            scram += ["--add-scram", f"SCRAM-SHA-512=[name={name},password={password}]"]
        cluster = _run(_java(), "-cp", classpath, log4j, logs, "kafka.tools.StorageTool",
                       "random-uuid").stdout.strip()  # fmt: skip
        _run(_java(), "-cp", classpath, log4j, logs, "kafka.tools.StorageTool", "format",
             "--standalone", "-t", cluster, "-c", str(props), *scram)  # fmt: skip
    if _pid() is None:
        with (node / "logs" / "kafka.out").open("ab") as out:
            java = [_java(), "-Xms256m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true"]
            process = subprocess.Popen(
                [*java, log4j, logs, "-cp", classpath, "kafka.Kafka", str(props)],
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        (STATE / "kafka.pid").write_text(str(process.pid))
    deadline = time.monotonic() + 120
    while not _listening(PORT):
        if time.monotonic() > deadline or _pid() is None:
            sys.exit(f"secure kafka did not start (see {node / 'logs'})")
        time.sleep(0.5)
    plan_file = STATE / "plan.txt"
    plan_file.write_text("\n".join(plan()) + "\n")
    admin = _admin_properties(tls, passwords["admin"])
    for attempt in range(30):
        try:
            setup = str(DEPLOY / "kafka" / "SecureSetup.java")
            done = _run(_java(), "-cp", classpath, log4j, logs, setup, str(admin), str(plan_file))
            break
        except subprocess.CalledProcessError as exc:
            if attempt == 29:
                sys.exit(f"secure kafka: topics and ACLs not made:\n{exc.stderr[-2000:]}")
            time.sleep(2)
    print(f"secure kafka: 127.0.0.1:{PORT} (SASL_SSL, SCRAM-SHA-512): {done.stdout.strip()}")


def down() -> None:
    pid = _pid()
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    for _ in range(300):
        if _pid() is None:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def env(principal: str) -> str:
    password = _passwords()[principal]
    values = {
        "CROSSCHECK_KAFKA_BOOTSTRAP": f"127.0.0.1:{PORT}",
        "CROSSCHECK_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "CROSSCHECK_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "CROSSCHECK_KAFKA_SASL_USERNAME": principal,
        "CROSSCHECK_KAFKA_SASL_PASSWORD": password,
        "CROSSCHECK_KAFKA_SSL_CAFILE": str(STATE / "tls" / "ca.crt"),
        "CROSSCHECK_KAFKA_CREATE_TOPICS": "false",
    }
    return "".join(f"{k}={v}\n" for k, v in values.items())


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "status"
    if command == "up":
        up()
    elif command == "down":
        down()
    elif command == "env" and len(argv) == 2 and argv[1] in PRINCIPALS:
        sys.stdout.write(env(argv[1]))
    elif command == "status":
        print("running" if _pid() and _listening(PORT) else "stopped")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
