"""The flat campaign the benchmarks drive: every inspection it describes is taken."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosscheck_platform.auth import Role
from crosscheck_scenarios.hazards import LEADER_ID, FlatCampaign
from crosscheck_testing.infra import Infra

from .harness import running_service

pytestmark = pytest.mark.infra


async def test_each_inspection_of_a_flat_campaign_finds_its_one_hazard(
    infra: Infra, tmp_path: Path
) -> None:
    campaign = FlatCampaign("c-flat", rounds=2, site_count=3)
    async with running_service(infra, tmp_path) as svc:
        await svc.publish(campaign.events())
        await svc.wait_for("SELECT count(*) FROM round_sites", expect=6)
        await svc.wait_for("SELECT count(*) FROM known_sites", expect=3)
        await svc.wait_for("SELECT count(*) FROM campaign_groups", expect=1)
        headers = svc.headers(Role.GROUP_LEADER, LEADER_ID)
        found = []
        for round_no in (1, 2):
            for site in range(3):
                failed = campaign.items[site]
                body = campaign.inspection(round_no, site, failed)
                response = await svc.client.post("/v1/inspections", json=body, headers=headers)
                assert response.status_code == 201, response.text
                (hazard_id,) = response.json()["hazard_ids"]
                hazard = await svc.client.get(f"/v1/hazards/{hazard_id}", headers=headers)
                assert hazard.status_code == 200, hazard.text
                found.append((hazard.json()["site_id"], hazard.json()["checklist_item_id"]))
    assert found == [(f"site-{s:04d}", campaign.items[s]) for _ in (1, 2) for s in range(3)]
