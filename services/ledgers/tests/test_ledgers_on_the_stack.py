"""Acceptance on the real broker and database: the reference scenario's figures in the
API, the XLSX and the CSV; rebuild; shuffled and redelivered events; calibration."""

from __future__ import annotations

import asyncio
import csv
import io
import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from openpyxl import load_workbook
from prometheus_client import CollectorRegistry

from crosscheck_contracts import CATALOGUE
from crosscheck_ledgers.app.progress import RebuildProgress
from crosscheck_ledgers.app.rebuild import ShareProcess, rebuild
from crosscheck_ledgers.consumers import CONSUMER
from crosscheck_platform.auth import Principal, Role
from crosscheck_scenarios.ledgers import AS_OF, Scenario, generate
from crosscheck_testing.fixtures import new_namespace
from crosscheck_testing.infra import Infra
from crosscheck_testing.tenancy import assert_out_of_scope

from .harness import Ledgers, admin, county_viewer, ledgers_service, produce, produce_raw

pytestmark = pytest.mark.infra

REFERENCE = generate(20240409)
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LENIENT = generate(7, township="532327104", rounds=4, hazards=420, lenient_group=2)
AS_OF_PARAM = AS_OF.isoformat()
UNREADABLE = (
    "hazards",
    b"hazard-unreadable",
    [("ce_type", b"crosscheck.hazards.HazardFound"), ("ce_specversion", b"1.0")],
    b"{not json",
)


@dataclass
class World:
    live: Ledgers
    scenarios: list[Scenario]


@pytest.fixture(scope="module")
async def world(infra: Infra) -> AsyncIterator[World]:
    name = new_namespace("tledgers")
    async with ledgers_service(infra, name) as live:
        events = REFERENCE.events + LENIENT.events
        await produce(infra.kafka_bootstrap, name, events[:100])
        # An unreadable message among the events: dead-lettered live, skipped by a rebuild.
        await produce_raw(infra.kafka_bootstrap, name, UNREADABLE)
        await produce(infra.kafka_bootstrap, name, events[100:])
        await live.wait_applied(len(events))
        await live.wait_dead_lettered(1)
        yield World(live, [REFERENCE, LENIENT])


async def _total(live: Ledgers, principal: Principal, **params: Any) -> dict[str, Any]:
    answer = await live.get("/v1/figures", principal, as_of=AS_OF_PARAM, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_reference_figures_in_the_api(world: World) -> None:
    body = await _total(world.live, admin(REFERENCE.tenant))
    total = body["total"]
    assert (total["places_inspected"], total["hazards"], total["verified"]) == (68, 164, 159)
    assert total["rectification_percent"] == 97
    assert total["open"] == 5
    assert total["overdue"] == REFERENCE.expected.overdue
    assert total["major"] == REFERENCE.expected.major


async def test_breakdowns_add_up_and_carry_names(world: World) -> None:
    principal = admin(REFERENCE.tenant)
    for by in ("village", "category", "group", "round"):
        items = (await _total(world.live, principal, by=by))["items"]
        assert sum(i["hazards"] for i in items) == 164, by
        assert sum(i["verified"] for i in items) == 159, by
        assert all(i["label"] != i["key"] for i in items), by
    groups = (await _total(world.live, principal, by="group"))["items"]
    assert {g["key"]: g["hazards"] for g in groups} == dict(REFERENCE.expected.hazards_by_group)


async def test_county_roll_up_lists_each_township(world: World) -> None:
    body = await _total(world.live, county_viewer("532327"), by="township")
    by_township = {i["key"]: i["hazards"] for i in body["items"]}
    assert by_township == {"532327103": 164, "532327104": LENIENT.expected.hazards}
    assert body["total"]["hazards"] == 164 + LENIENT.expected.hazards


async def test_a_township_sees_only_itself(world: World) -> None:
    principal = admin(REFERENCE.tenant)
    other = await world.live.get("/v1/figures", principal, township="532327104")
    assert other.status_code == 403
    page = await world.live.get("/v1/ledgers/hazards", principal, limit=1000)
    assert page.status_code == 200, page.text
    assert {h["township"] for h in page.json()["items"]} == {"532327103"}


async def test_village_committee_sees_its_own_village(world: World) -> None:
    village = "532327103-v2"
    principal = Principal(
        subject="v",
        name="村委会",
        role=Role.VILLAGE_COMMITTEE,
        county="532327",
        township="532327103",
        village_id=village,
    )
    body = (await world.live.get("/v1/ledgers/hazards", principal, limit=1000)).json()
    assert body["total"] > 0
    assert {h["village_id"] for h in body["items"]} == {village}


LEDGER_READS = (
    "/v1/ledgers/base",
    "/v1/ledgers/base/coverage",
    "/v1/ledgers/hazards",
    "/v1/ledgers/responsibility",
    "/v1/figures",
    "/v1/calibration",
    "/v1/exports/ledgers.xlsx",
    "/v1/exports/hazards.csv",
)


async def test_reads_out_of_scope_are_refused_not_answered_empty(world: World) -> None:
    """Another county's viewer naming this county's township used to get empty ledgers;
    every read out of scope is now the same 403."""
    other_county = county_viewer("532328")
    other_township = admin(LENIENT.tenant)
    committee = Principal(
        subject="v",
        name="村委会",
        role=Role.VILLAGE_COMMITTEE,
        county="532327",
        township="532327103",
        village_id="532327103-v2",
    )
    for path in LEDGER_READS:
        assert_out_of_scope(await world.live.get(path, other_county, township="532327103"))
        assert_out_of_scope(await world.live.get(path, other_township, township="532327103"))
        assert_out_of_scope(await world.live.get(path, committee, village_id="532327103-v3"))
    own = await world.live.get("/v1/ledgers/hazards", committee, village_id="532327103-v2")
    assert own.status_code == 200 and own.json()["total"] > 0


async def test_ledgers_page_and_filter(world: World) -> None:
    principal = admin(REFERENCE.tenant)
    live = world.live
    first = (await live.get("/v1/ledgers/hazards", principal, limit=50)).json()
    second = (await live.get("/v1/ledgers/hazards", principal, limit=50, offset=50)).json()
    assert first["total"] == 164 and len(first["items"]) == 50
    assert not {h["hazard_id"] for h in first["items"]} & {h["hazard_id"] for h in second["items"]}
    open_ = await live.get(
        "/v1/ledgers/responsibility", principal, overdue="true", as_of=AS_OF_PARAM, limit=100
    )
    items = open_.json()["items"]
    assert len(items) == REFERENCE.expected.overdue
    assert all(i["verified_at"] is None and i["responsible_person"] for i in items)
    verified = (
        await live.get("/v1/ledgers/responsibility", principal, state="verified", limit=1)
    ).json()
    assert verified["total"] == 159
    assert verified["items"][0]["verified_by_name"] and verified["items"][0]["leader_name"]
    base = (await live.get("/v1/ledgers/base", principal, limit=1000)).json()
    assert base["total"] == 68
    assert all(
        len(s["rounds"]) == 2 and all(r["inspected"] for r in s["rounds"]) for s in base["items"]
    )
    coverage = (await live.get("/v1/ledgers/base/coverage", principal)).json()["items"]
    assert {c["coverage"] for c in coverage} == {1.0}
    assert sum(c["places"] for c in coverage if c["round_no"] == 1) == 68


async def test_xlsx_says_the_same(world: World) -> None:
    answer = await world.live.get(
        "/v1/exports/ledgers.xlsx", admin(REFERENCE.tenant), as_of=AS_OF_PARAM
    )
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["汇总", "底数清单", "隐患清单", "责任清单"]
    township = "维的乡"
    for ws in book.worksheets:
        assert ws["A1"].value == f"{township}安全生产循环互查{ws.title}"  # the title row
        assert ws.freeze_panes == "A3"
        assert ws.print_title_rows == "$1:$2"
        assert ws.page_setup.orientation == "landscape"
        fit = ws.sheet_properties.pageSetUpPr
        assert ws.page_setup.fitToWidth == 1 and fit is not None and fit.fitToPage
        if ws.title != "汇总":
            assert ws["A2"].value == "序号"
            numbers = [row[0] for row in ws.iter_rows(min_row=3, values_only=True)]
            assert numbers == list(range(1, len(numbers) + 1))
        cells = [str(v) for row in ws.iter_rows(min_row=2, values_only=True) for v in row if v]
        assert not [c for c in cells if UUID_TEXT.search(c)], "an internal id is visible"
        assert not [c for c in cells if c == REFERENCE.tenant.township], "a code is visible"
    summary = list(book["汇总"].iter_rows(min_row=2, values_only=True))
    assert summary[0][:7] == (
        "维度",
        "名称",
        "检查场所数",
        "检查次数",
        "发现隐患",
        "已整改销号",
        "整改率(%)",
    )
    total = summary[1]
    assert total[0] == "合计" and (total[2], total[4], total[5], total[6]) == (68, 164, 159, 97)
    hazards = list(book["隐患清单"].iter_rows(min_row=2, values_only=True))
    assert len(hazards) == 1 + 164
    state = hazards[0].index("状态")
    assert sum(1 for row in hazards[1:] if row[state] == "已销号") == 159
    fixed = hazards[0].index("完成时间")
    assert sum(1 for row in hazards[1:] if row[fixed]) >= 159
    assert book["底数清单"].max_row == 2 + 68
    responsibility = next(book["责任清单"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert {"整改责任人", "完成时间", "复核人"} <= set(responsibility)


async def test_csv_says_the_same(world: World) -> None:
    principal = admin(REFERENCE.tenant)
    answer = await world.live.get("/v1/exports/summary.csv", principal, as_of=AS_OF_PARAM)
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][4] == "发现隐患"
    assert rows[1][0] == "合计" and (rows[1][2], rows[1][4], rows[1][5], rows[1][6]) == (
        "68",
        "164",
        "159",
        "97",
    )
    hazards = await world.live.get("/v1/exports/hazards.csv", principal, as_of=AS_OF_PARAM)
    table = list(csv.reader(io.StringIO(hazards.content.decode("utf-8-sig"))))
    assert len(table) == 1 + 164
    assert sum(1 for row in table[1:] if row[table[0].index("状态")] == "已销号") == 159
    english = await world.live.get("/v1/exports/base.csv", principal, lang="en")
    assert english.content.decode("utf-8-sig").startswith("No.,Township,Village committee")


async def test_calibration_flags_the_lenient_group_only(world: World) -> None:
    body = (await world.live.get("/v1/calibration", admin(LENIENT.tenant))).json()
    flagged = [g["group_id"] for g in body["groups"] if g["flagged"]]
    assert flagged == [LENIENT.group_ids[2]]
    assert body["statistic"] and body["threshold"] == pytest.approx(0.05 / 8)
    assert body["missed"] and all(
        m["later_group_id"] != m["earlier_group_id"] for m in body["missed"]
    )
    reference = (await world.live.get("/v1/calibration", admin(REFERENCE.tenant))).json()
    assert not [g for g in reference["groups"] if g["flagged"]]


# All rows merged in memory and copied at the end, or (a history too big for memory)
# written in parts by upserts, rows coming again in later parts; read by this process
# alone or shared out with share processes (each merging its partitions, the shares
# merged at the end).
@pytest.mark.parametrize("processes", [1, 3], ids=["one-process", "three-processes"])
@pytest.mark.parametrize("max_rows", [2_000_000, 150], ids=["copied", "in-parts"])
async def test_rebuild_gives_identical_rows(
    world: World, infra: Infra, max_rows: int, processes: int
) -> None:
    live = world.live
    before = await live.snapshot()
    pages_before = (
        await live.get("/v1/ledgers/responsibility", admin(REFERENCE.tenant), limit=1000)
    ).json()
    registry = CollectorRegistry()
    progress = RebuildProgress(registry)
    stats = await rebuild(
        live.db,
        infra.kafka_bootstrap,
        live.runtime.topics.all,
        CATALOGUE,
        max_rows=max_rows,
        processes=processes,
        progress=progress,
    )
    assert stats.events == sum(len(s.events) for s in world.scenarios)
    assert stats.skipped == 1
    # Every record counted once, from whichever process read it.

    def value(name: str) -> float:
        sample = registry.get_sample_value(name)
        assert sample is not None, name
        return sample

    assert value("crosscheck_rebuild_records_total") == stats.events + stats.skipped
    assert value("crosscheck_rebuild_records_read") == stats.events + stats.skipped
    started = value("crosscheck_rebuild_started_timestamp_seconds")
    assert value("crosscheck_rebuild_finished_timestamp_seconds") >= started > 0
    after = await live.snapshot()
    for table, rows in before.items():
        assert after[table] == rows, table
    assert sum(len(rows) for rows in after.values()) > 1000
    pages_after = (
        await live.get("/v1/ledgers/responsibility", admin(REFERENCE.tenant), limit=1000)
    ).json()
    assert pages_after == pages_before


async def test_two_rebuilds_at_once_give_identical_rows(world: World, infra: Infra) -> None:
    # The second waits for the first's lock, then finds the first's new tables.
    live = world.live
    before = await live.snapshot()
    both = await asyncio.gather(
        *(
            rebuild(live.db, infra.kafka_bootstrap, live.runtime.topics.all, CATALOGUE)
            for _ in range(2)
        )
    )
    assert [stats.events for stats in both] == [sum(len(s.events) for s in world.scenarios)] * 2
    assert await live.snapshot() == before


async def test_a_rebuild_whose_share_process_dies_changes_nothing(
    world: World, infra: Infra, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One share process dies before reading: the rebuild fails and says so, the ledgers
    # stay as they were, its new tables are gone and the lock is released.
    live = world.live
    before = await live.snapshot()
    start = ShareProcess.start
    started: list[ShareProcess] = []

    async def start_one_dead() -> ShareProcess:
        share = await start()
        if not started:
            share.process.kill()
            await share.process.wait()
        started.append(share)
        return share

    monkeypatch.setattr(ShareProcess, "start", start_one_dead)
    async with asyncio.timeout(120):
        with pytest.raises(RuntimeError, match="share process ended with exit code -9"):
            await rebuild(
                live.db, infra.kafka_bootstrap, live.runtime.topics.all, CATALOGUE, processes=2
            )
    assert len(started) == 2
    assert all(share.process.returncode is not None for share in started)
    assert await live.snapshot() == before
    leftovers = await live.db.fetchval(
        "SELECT count(*) FROM pg_namespace WHERE nspname = $1", f"{live.db.schema}_rebuild"
    )
    assert leftovers == 0
    async with live.db.transaction() as conn:  # nothing holds the ledgers any more
        await conn.execute("SET LOCAL lock_timeout = '5s'")
        await conn.execute("LOCK TABLE lg_hazards IN EXCLUSIVE MODE")


async def test_shuffled_and_redelivered_events_change_nothing(world: World, infra: Infra) -> None:
    rng = random.Random(42)
    events = REFERENCE.events + LENIENT.events
    mixed = events + rng.sample(events, k=len(events) // 2)
    rng.shuffle(mixed)
    name = new_namespace("tledgers")
    async with ledgers_service(infra, name) as shuffled:
        await produce(infra.kafka_bootstrap, name, mixed)
        # The copies are applied again (positions, not event ids, track what is
        # done): the version-guarded upserts must make them change nothing.
        await shuffled.wait_applied(len(mixed))
        assert await shuffled.snapshot() == await world.live.snapshot()
        for principal in (admin(REFERENCE.tenant), county_viewer("532327")):
            for by in (None, "village", "category", "group", "round", "township"):
                params = {} if by is None else {"by": by}
                assert await _total(shuffled, principal, **params) == await _total(
                    world.live, principal, **params
                )
        assert shuffled.applied == len(mixed)


# Lock requests on the ledger tables of `schema`: (lock mode, granted).
LEDGER_LOCKS = """
    SELECT l.mode, l.granted FROM pg_locks l
    JOIN pg_class c ON c.oid = l.relation
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relname LIKE 'lg\\_%'
"""


async def _until_waiting(live: Ledgers, mode: str) -> None:
    async with asyncio.timeout(60):
        while True:
            locks = await live.db.fetch(LEDGER_LOCKS, live.db.schema)
            if any(lock["mode"] == mode and not lock["granted"] for lock in locks):
                return
            await asyncio.sleep(0.01)


async def test_a_rebuild_swaps_its_tables_in_under_live_writes_and_reads(
    world: World, infra: Infra
) -> None:
    """The rebuild's new tables replace the old ones at its commit: a query still
    reading the old ones holds the swap back, and the live consumer's writes and the
    readers that wait meanwhile go to the new tables once it is committed."""
    events = REFERENCE.events + LENIENT.events
    half = len(events) // 2
    name = new_namespace("tledgers")
    async with ledgers_service(infra, name) as live:
        await produce(infra.kafka_bootstrap, name, events[:half])
        await live.wait_applied(half)
        async with live.db.dedicated() as reader:
            # A long query on the old tables (its transaction keeps its lock).
            holding = reader.transaction()
            await holding.start()
            await reader.fetchval("SELECT count(*) FROM lg_hazards")
            rebuilding = asyncio.create_task(
                rebuild(live.db, infra.kafka_bootstrap, live.runtime.topics.all, CATALOGUE)
            )
            await _until_waiting(live, "AccessExclusiveLock")  # the swap waits for the reader
            await produce(infra.kafka_bootstrap, name, events[half:])
            await _until_waiting(live, "RowExclusiveLock")  # the live consumer waits too
            page = asyncio.create_task(
                live.get("/v1/ledgers/hazards", admin(REFERENCE.tenant), limit=5)
            )
            await asyncio.sleep(0.2)
            assert not rebuilding.done() and not page.done()
            await holding.commit()
            stats = await rebuilding
        assert stats.events == half
        assert (await page).status_code == 200
        await live.wait_applied(len(events))
        assert live.runtime.consumers[CONSUMER].dead_lettered == 0
        assert await live.snapshot() == await world.live.snapshot()
        after = await live.get("/v1/ledgers/hazards", admin(REFERENCE.tenant), limit=5)
        assert after.status_code == 200
        assert after.json()["total"] > 0
