"""Same roster, same inputs, same seed: byte-identical groups and plans. Twenty random
townships, each drawn and planned twice: once here on one thread, once in another
Python process with another hash seed (set and dict orders differ) and two threads."""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys

from crosscheck_rotation.domain.formation import form_groups
from crosscheck_rotation.domain.model import RotationProblem
from crosscheck_rotation.domain.planner import plan_campaign
from crosscheck_rotation.domain.zoning import split_for_groups
from crosscheck_scenarios.rotation import township

TOWNSHIPS = 20
# Small budgets: the search of a few townships still stops on them rather than on a
# proof (asserted below), which is the case this test is about.
FORMATION_BUDGET = 0.2
PLAN_BUDGET = 0.4


def campaign_digest(n: int) -> tuple[str, bool]:
    """Township n: its draw and its plan, as one SHA-256 of their canonical JSON; and
    whether the plan was proven optimal (else its search stopped on the budget)."""
    rng = random.Random(n)
    groups = rng.randint(3, 6)
    town = township(
        1000 + n,
        villages=rng.randint(4, 8),
        places=rng.randint(20, 60),
        staff=rng.randint(4 * groups, 7 * groups),
        leadership=groups + rng.randint(0, 3),
        from_villages=rng.uniform(0.2, 0.6),
        conflict_rate=rng.uniform(0.0, 0.1),
    )
    zones = split_for_groups(town.zones(), groups)
    seed = rng.randrange(2**31 - 1)
    drawn = form_groups(town.staff, zones, groups, seed, budget=FORMATION_BUDGET)
    staff = {s.staff_id: s for s in town.staff}
    rounds = range(1, rng.randint(3, 5) + 1)
    plan = plan_campaign(
        RotationProblem(staff, drawn, zones, rounds), None, seed, budget=PLAN_BUDGET
    )
    record = {
        "groups": [[g.group_id, g.leader_id, list(g.member_ids)] for g in drawn],
        "k": plan.no_repeat_within,
        "objective": plan.objective,
        "optimal": plan.optimal,
        "reproducible": plan.reproducible,
        "rounds": [
            [r.round_no, [[a.group_id, a.zone_id, list(a.site_ids)] for a in r.assignments]]
            for r in plan.rounds
        ],
    }
    digest = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()
    return digest, plan.optimal


def main() -> None:
    print(json.dumps([campaign_digest(n)[0] for n in range(TOWNSHIPS)]))


def test_twenty_townships_drawn_and_planned_twice_are_identical() -> None:
    env = {**os.environ, "PYTHONHASHSEED": "12345", "CROSSCHECK_ROTATION_WORKERS": "2"}
    # The other process draws and plans while this one does: two cores, half the wait.
    with subprocess.Popen(
        [sys.executable, __file__], env=env, stdout=subprocess.PIPE, text=True
    ) as there:
        os.environ["CROSSCHECK_ROTATION_WORKERS"] = "1"
        try:
            campaigns = [campaign_digest(n) for n in range(TOWNSHIPS)]
        finally:
            del os.environ["CROSSCHECK_ROTATION_WORKERS"]
        out, _ = there.communicate(timeout=600)
    here = [digest for digest, _ in campaigns]
    assert there.returncode == 0
    assert json.loads(out) == here
    assert len(set(here)) == TOWNSHIPS  # twenty different campaigns, not one
    # Some searches were stopped by the budget, not by a proof: where a machine's speed
    # or its threads could leak into the answer if the budget were not deterministic.
    assert not all(optimal for _, optimal in campaigns)


if __name__ == "__main__":
    main()
