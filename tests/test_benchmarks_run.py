"""Every benchmark script runs to its end on the real stack, at a toy size.

The benchmarks are how the issues' performance goals are measured, and nothing else
runs them: a change that breaks one would otherwise show only when someone next
measures. These runs check that each script completes and prints its figures; they do
not judge the figures (speed is measured by the scripts, not asserted by tests).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crosscheck_testing.infra import Infra

pytestmark = pytest.mark.infra

BENCH = Path(__file__).resolve().parents[1] / "bench"

# script, toy-size arguments, lines its output must have
RUNS = [
    (
        "ledgers.py",
        ["--events", "3000", "--repeat", "2", "--seconds", "1", "--rate", "50"],
        [
            "raw aiokafka getmany",
            "+ decode + validate",
            "ledgers rebuild",
            "rebuild / raw: median",
            "rebuild / the decoding read: median",
            "freshness",
        ],
    ),
    (
        "ledgers.py",
        ["--county-year", "--townships", "2", "--year-scale", "0.01"],
        ["townships' years cloned and produced", "county-year rebuild", "EXTRAPOLATED"],
    ),
    (
        "hazards.py",
        ["--seconds", "1", "--rate", "50", "--clients", "4"],
        ["throughput", "fixed rate"],
    ),
    (
        "foundation.py",
        ["--commands", "60", "--events", "600", "--repeat", "1"],
        ["ratio", "getmany + decode + validate"],
    ),
    ("notify.py", ["--pending", "400", "--due", "40", "--workers", "1x1"], ["1x1"]),
    (
        "registry_import.py",
        ["--townships", "2", "--places", "20", "--parallel", "2"],
        ["ratio service / COPY", "outbox drained"],
    ),
    (
        "rotation.py",
        ["--budget", "0.1", "--workers", "1", "--formation-budget", "0.3"],
        [
            "impossible campaign detected",
            "identical under every worker count: True",
            "reaching K = 5",
            "(f) county campaign",
            "rounds breaking a rule (independent check): 0 of 6",
            "county: identical under every worker count: True",
        ],
    ),
    ("outbound.py", ["--requests", "50", "--repeat", "1"], ["x the platform client"]),
    (
        "county.py",
        ["--townships", "1", "--replicas", "1", "--min-places", "15", "--max-places", "20"],
        ["commands/s", "write p99 ms", "freshness p99 ms", "RSS per process"],
    ),
    (
        "console.py",
        ["--clients", "2", "--requests", "3"],
        ["landing", "dashboard", "plan", "staff", "dashboard bytes", "resident memory"],
    ),
]


@pytest.mark.parametrize(("script", "args", "expected"), RUNS, ids=[r[0] for r in RUNS])
def test_benchmark_runs_to_its_end(
    infra: Infra, script: str, args: list[str], expected: list[str]
) -> None:
    env = {
        **os.environ,
        "CROSSCHECK_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "CROSSCHECK_DATABASE_URL": infra.database_url,
    }
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    missing = [line for line in expected if line not in done.stdout]
    assert not missing, f"{script} printed no {missing}:\n{done.stdout[-3000:]}"
