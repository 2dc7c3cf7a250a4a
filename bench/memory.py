"""Memory and CPU of each service process: idle, and under the reference campaign.

    uv run python bench/memory.py [--settle 10] [--interval 0.2]

Needs the local stack (`deploy/stack up`). Starts the five services as their own
processes (`python -m crosscheck_<name>.main`, as `./crosscheck up` and the image's
entry points run them) on free ports with a fresh schema each and a fresh topic
namespace, and a local SMTP server for notify's mail. Once all are ready and have sat
`--settle` seconds, it reads each one's resident memory (VmRSS) - idle. Then it runs
the reference campaign (`crosscheck-demo`'s driver, in this process) while sampling
every process's VmRSS every `--interval` seconds - peak - and reads each one's CPU
seconds before and after - CPU, as cores averaged over the campaign. After a further
settle it reads VmRSS again - after. Last, it runs `crosscheck-ledgers-rebuild` over
the campaign's topics as the rebuild Job would, and reports that process tree's peak.
The figures set the Kubernetes requests and limits (deploy/kubernetes, bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from crosscheck_demo.driver import SERVICES, DemoSettings, Endpoints, run
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import delete_topics_under
from crosscheck_platform.migrations import migrate
from crosscheck_testing.infra import locate
from crosscheck_testing.issuer import IssuedTokens
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import wait_until_ready
from crosscheck_testing.resources import rss_mib, sample_peaks

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


async def sample_busiest(pids: dict[str, int], busiest: dict[str, float]) -> None:
    """The most CPU each process used in any one second, in cores."""
    last = {name: cpu_seconds(pid) for name, pid in pids.items()}
    while True:
        await asyncio.sleep(1.0)
        for name, pid in pids.items():
            now = cpu_seconds(pid)
            busiest[name] = max(busiest.get(name, 0.0), now - last[name])
            last[name] = now


async def main(settle: float, interval: float) -> None:
    with ExitStack() as stack:
        infra = locate(stack)
        namespace = "mem" + uuid.uuid4().hex[:10]
        smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
        smtp.start()
        ports = {name: free_port() for name in SERVICES}
        logs = Path(tempfile.mkdtemp(prefix="crosscheck-memory-"))
        env = {
            **os.environ,
            "CROSSCHECK_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
            "CROSSCHECK_DATABASE_URL": infra.database_url,
            "CROSSCHECK_TOPIC_NAMESPACE": namespace,
            "CROSSCHECK_OIDC_ISSUER": infra.issuer.url,
            "CROSSCHECK_LOG_LEVEL": "WARNING",
            "CROSSCHECK_NOTIFY_SMTP_HOST": "127.0.0.1",
            "CROSSCHECK_NOTIFY_SMTP_PORT": str(smtp.port),
        }
        processes: dict[str, asyncio.subprocess.Process] = {}
        try:
            # Services never change their schema: migrated first, as `./crosscheck up` does.
            for name in SERVICES:
                await migrate(infra.database_url, f"{namespace}_{name}", name)
            for name, port in ports.items():
                log = (logs / f"{name}.log").open("wb")
                processes[name] = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    f"crosscheck_{name}.main",
                    env={
                        **env,
                        "CROSSCHECK_DB_SCHEMA": f"{namespace}_{name}",
                        "CROSSCHECK_HTTP_PORT": str(port),
                    },
                    stdout=log,
                    stderr=log,
                )
            endpoints = Endpoints.on_ports(ports)
            for name, process in processes.items():
                await wait_until_ready(endpoints.of(name), process)
            pids = {name: p.pid for name, p in processes.items()}
            await asyncio.sleep(settle)
            idle = {name: rss_mib(pid) for name, pid in pids.items()}
            cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            peaks: dict[str, float] = {}
            busiest: dict[str, float] = {}
            sampler = asyncio.create_task(sample_peaks(pids, peaks, interval))
            cpu_sampler = asyncio.create_task(sample_busiest(pids, busiest))
            started = time.perf_counter()
            outcome = await run(
                DemoSettings(
                    tokens=IssuedTokens(infra.issuer), endpoints=endpoints, state_dir=logs / "demo"
                )
            )
            seconds = time.perf_counter() - started
            sampler.cancel()
            cpu_sampler.cancel()
            cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
            await asyncio.sleep(settle)
            after = {name: rss_mib(pid) for name, pid in pids.items()}
            figures = outcome.figures
            print(
                f"campaign: {figures['inspections']} inspections, {figures['hazards']} hazards "
                f"in {seconds:.1f} s (services' logs in {logs})"
            )
            print(
                f"{'service':<10}{'idle MiB':>10}{'peak MiB':>10}{'after MiB':>11}"
                f"{'CPU s':>8}{'cores':>7}"
            )
            for name in SERVICES:
                print(
                    f"{name:<10}{idle[name]:>10.0f}{peaks[name]:>10.0f}{after[name]:>11.0f}"
                    f"{cpu[name]:>8.1f}{cpu[name] / seconds:>7.2f}{busiest[name]:>13.2f}"
                )
            await rebuild_peak(env, namespace, interval)
        finally:
            for process in processes.values():
                if process.returncode is None:
                    process.terminate()
            for process in processes.values():
                await process.wait()
            smtp.stop()
            cleanup = await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
            for name in SERVICES:
                await cleanup.execute(f"DROP SCHEMA IF EXISTS {namespace}_{name} CASCADE")
            await cleanup.close()
            await delete_topics_under(infra.kafka_bootstrap, [f"{namespace}."])


async def rebuild_peak(env: dict[str, str], namespace: str, interval: float) -> None:
    rebuild = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from crosscheck_ledgers.rebuild_main import main; main()",
        env={**env, "CROSSCHECK_DB_SCHEMA": f"{namespace}_ledgers"},
        stdout=asyncio.subprocess.PIPE,
    )
    peaks: dict[str, float] = {}
    sampler = asyncio.create_task(sample_peaks({"rebuild": rebuild.pid}, peaks, interval / 4))
    out, _ = await rebuild.communicate()
    sampler.cancel()
    print(
        f"rebuild   peak {peaks.get('rebuild', 0):.0f} MiB with its share processes: "
        f"{out.decode().strip()}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--settle", type=float, default=10.0)
    parser.add_argument("--interval", type=float, default=0.2)
    args = parser.parse_args()
    asyncio.run(main(args.settle, args.interval))
