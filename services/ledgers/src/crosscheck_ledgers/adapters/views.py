"""Read-side SQL over the projection tables: the three ledgers, figures, calibration input.

Every query takes a Scope (county, optionally one township, optionally one village) so
tenancy is enforced in SQL, never by filtering afterwards. Only rows whose defining
event has arrived are listed (a hazard whose HazardFound is still in flight is not).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crosscheck_contracts.events.hazards import CATEGORY_LABELS
from crosscheck_ledgers.adapters.labels import label
from crosscheck_ledgers.domain.calibration import Visit
from crosscheck_ledgers.domain.figures import Dimension, Figures
from crosscheck_ledgers.domain.states import HazardState
from crosscheck_platform.db import Database


@dataclass(frozen=True)
class Scope:
    county: str
    township: str | None = None
    """None: every township of the county (county viewers)."""
    village_id: str | None = None
    """Set for village committee users: they see their own village only."""


def in_campaign(column: str, param: str) -> str:
    """`column` names the campaign `param` holds or, when it holds a county campaign's
    id, one of the townships' parts of it (their CampaignLaunched's county scope)."""
    return (
        f"({column} = {param} OR {column} IN (SELECT c.campaign_id FROM lg_campaigns c "
        f"WHERE c.county_campaign_id = {param}))"
    )


class _Where:
    """Builds a WHERE clause with numbered parameters."""

    def __init__(self, scope: Scope, alias: str, village_column: str | None = "village_id") -> None:
        self.args: list[Any] = []
        self.parts: list[str] = []
        self.add(f"{alias}.county = {{}}", scope.county)
        if scope.township is not None:
            self.add(f"{alias}.township = {{}}", scope.township)
        if scope.village_id is not None and village_column is not None:
            self.add(f"{alias}.{village_column} = {{}}", scope.village_id)

    def add(self, template: str, value: Any) -> None:
        self.args.append(value)
        self.parts.append(template.format(f"${len(self.args)}"))

    def maybe(self, template: str, value: Any) -> None:
        if value is not None:
            self.add(template, value)

    def raw(self, condition: str) -> None:
        self.parts.append(condition)

    def campaign(self, column: str, campaign_id: str | None) -> None:
        """Rows of the campaign asked for (`in_campaign`), when one is."""
        if campaign_id is not None:
            self.raw(in_campaign(column, self.param(campaign_id)))

    def param(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    @property
    def sql(self) -> str:
        return " AND ".join(self.parts)


@dataclass(frozen=True)
class Page:
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class HazardFilter:
    campaign_id: str | None = None
    round_no: int | None = None
    village_id: str | None = None
    site_id: str | None = None
    group_id: str | None = None
    category: str | None = None
    severity: str | None = None
    state: str | None = None
    overdue: bool | None = None


_HAZARD_COLUMNS = """
    h.hazard_id, h.township, t.name AS township_name, h.campaign_id, h.round_no,
    h.site_id, s.name AS site_name, h.village_id, v.name AS village_name,
    h.inspection_id, h.group_id, g.name AS group_name, g.leader_id,
    leader.name AS leader_name, h.checklist_item_id, h.category, h.severity,
    h.description, h.found_at, h.recurrence_of, h.state, h.state_at, h.notified_at,
    h.told_person, h.signed, h.responsible_person, h.responsible_staff_id,
    h.supervising_village_id, sv.name AS supervising_village_name, h.deadline,
    h.reported_at, h.verified_by, verifier.name AS verified_by_name, h.verified_at,
    h.rejected_at, h.rejection_reason, h.escalation_level, h.overdue_noticed_at,
    string_to_array(i.presence_flags, ',') AS found_presence,
    string_to_array(h.verify_presence_flags, ',') AS verify_presence,
    h.found_by_name, h.assigned_by_name, h.reported_by_name, h.measures,
    h.notice_file_number
"""
_HAZARD_FROM = """
    FROM lg_hazards h
    LEFT JOIN lg_townships t ON t.township_code = h.township
    LEFT JOIN lg_sites s ON s.site_id = h.site_id
    LEFT JOIN lg_villages v ON v.village_id = h.village_id
    LEFT JOIN lg_villages sv ON sv.village_id = h.supervising_village_id
    LEFT JOIN lg_groups g ON g.campaign_id = h.campaign_id AND g.group_id = h.group_id
    LEFT JOIN lg_staff leader ON leader.staff_id = g.leader_id
    LEFT JOIN lg_staff verifier ON verifier.staff_id = h.verified_by
    LEFT JOIN lg_inspections i ON i.inspection_id = h.inspection_id
"""


def _hazard_where(scope: Scope, f: HazardFilter, as_of: datetime) -> _Where:
    w = _Where(scope, "h")
    w.raw("h.found_v IS NOT NULL")
    w.campaign("h.campaign_id", f.campaign_id)
    w.maybe("h.round_no = {}", f.round_no)
    w.maybe("h.village_id = {}", f.village_id)
    w.maybe("h.site_id = {}", f.site_id)
    w.maybe("h.group_id = {}", f.group_id)
    w.maybe("h.category = {}", f.category)
    w.maybe("h.severity = {}", f.severity)
    w.maybe("h.state = {}", f.state)
    if f.overdue is not None:
        overdue = _overdue_sql(w.param(as_of))
        w.raw(overdue if f.overdue else f"NOT ({overdue})")
    return w


def _overdue_sql(as_of: str) -> str:
    verified = HazardState.VERIFIED.value
    return f"(h.state IS DISTINCT FROM '{verified}' AND h.deadline < {as_of}::timestamptz)"


async def hazards(
    db: Database, scope: Scope, f: HazardFilter, as_of: datetime, page: Page
) -> tuple[list[dict[str, Any]], int]:
    """The hazard list (and the responsibility list: the same rows, other columns)."""
    w = _hazard_where(scope, f, as_of)
    total = await db.fetchval(f"SELECT count(*) {_HAZARD_FROM} WHERE {w.sql}", *w.args)
    at = w.param(as_of)
    limit, offset = w.param(page.limit), w.param(page.offset)
    rows = await db.fetch(
        f"SELECT {_HAZARD_COLUMNS}, {_overdue_sql(at)} AS overdue, "
        f"floor(extract(epoch FROM (COALESCE(h.verified_at, {at}::timestamptz) - h.found_at))"
        f" / 86400)::int AS days_open "
        f"{_HAZARD_FROM} WHERE {w.sql} ORDER BY h.found_at, h.hazard_id "
        f"LIMIT {limit} OFFSET {offset}",
        *w.args,
    )
    return [dict(r) for r in rows], int(total)


@dataclass(frozen=True)
class SiteFilter:
    campaign_id: str | None = None
    village_id: str | None = None
    site_type: str | None = None
    inspected: bool | None = None
    include_closed: bool = False


async def base_list(
    db: Database, scope: Scope, f: SiteFilter, page: Page
) -> tuple[list[dict[str, Any]], int]:
    """Every place with its village, type and responsible person, and per round whether it
    was inspected, when (first visit) and by which group, beside the group planned."""
    w = _Where(scope, "s")
    w.raw("s.name_v IS NOT NULL")
    if not f.include_closed:
        w.raw("s.closed_v IS NULL")
    w.maybe("s.village_id = {}", f.village_id)
    w.maybe("s.site_type = {}", f.site_type)
    if f.inspected is not None:
        campaign = (
            ""
            if f.campaign_id is None
            else " AND " + in_campaign("i.campaign_id", w.param(f.campaign_id))
        )
        exists = (
            "EXISTS (SELECT 1 FROM lg_inspections i WHERE i.site_id = s.site_id "
            f"AND i.completed_v IS NOT NULL{campaign})"
        )
        w.raw(exists if f.inspected else f"NOT {exists}")
    base = "FROM lg_sites s LEFT JOIN lg_villages v ON v.village_id = s.village_id"
    total = await db.fetchval(f"SELECT count(*) {base} WHERE {w.sql}", *w.args)
    limit, offset = w.param(page.limit), w.param(page.offset)
    sites = await db.fetch(
        "SELECT s.site_id, s.township, s.name AS site_name, s.village_id, "
        "v.name AS village_name, s.site_type, s.address, s.responsible_name, "
        "s.responsible_phone_masked, s.closed_on "
        f"{base} WHERE {w.sql} ORDER BY s.township, s.village_id, s.site_id "
        f"LIMIT {limit} OFFSET {offset}",
        *w.args,
    )
    items = [dict(r) | {"rounds": []} for r in sites]
    by_id = {item["site_id"]: item for item in items}
    for r in await _rounds_of(db, list(by_id), f.campaign_id):
        by_id[r["site_id"]]["rounds"].append({k: v for k, v in r.items() if k != "site_id"})
    return items, int(total)


async def _rounds_of(
    db: Database, site_ids: Sequence[str], campaign_id: str | None
) -> list[dict[str, Any]]:
    if not site_ids:
        return []
    rows = await db.fetch(
        f"""
        WITH planned AS (
            SELECT p.site_id, p.campaign_id, p.round_no, p.group_id
            FROM lg_plan_sites p JOIN lg_rounds r USING (campaign_id, round_no)
            WHERE p.plan_version = r.plan_v AND p.site_id = ANY($1)
              AND ($2::text IS NULL OR {in_campaign("p.campaign_id", "$2")})),
        visited AS (
            SELECT i.site_id, i.campaign_id, i.round_no, min(i.inspected_at) AS inspected_at,
                   (array_agg(i.group_id ORDER BY i.inspected_at, i.inspection_id))[1]
                       AS group_id,
                   count(*)::int AS visits, sum(i.hazard_count)::int AS hazards
            FROM lg_inspections i
            WHERE i.completed_v IS NOT NULL AND i.site_id = ANY($1)
              AND ($2::text IS NULL OR {in_campaign("i.campaign_id", "$2")})
            GROUP BY 1, 2, 3)
        , joined AS (
            SELECT site_id, campaign_id, round_no, planned.group_id AS planned_group_id,
                   visited.inspected_at, visited.group_id, visited.visits, visited.hazards
            FROM planned FULL JOIN visited USING (site_id, campaign_id, round_no))
        SELECT j.site_id, j.campaign_id, j.round_no, j.planned_group_id,
               pg.name AS planned_group_name, j.inspected_at IS NOT NULL AS inspected,
               j.inspected_at, j.group_id, vg.name AS group_name,
               COALESCE(j.visits, 0) AS visits, COALESCE(j.hazards, 0) AS hazards
        FROM joined j
        LEFT JOIN lg_groups pg ON pg.campaign_id = j.campaign_id
             AND pg.group_id = j.planned_group_id
        LEFT JOIN lg_groups vg ON vg.campaign_id = j.campaign_id AND vg.group_id = j.group_id
        ORDER BY j.site_id, j.campaign_id, j.round_no
        """,
        list(site_ids),
        campaign_id,
    )
    return [dict(r) for r in rows]


async def coverage(db: Database, scope: Scope, campaign_id: str | None) -> list[dict[str, Any]]:
    """Per village and round: places on the list, planned, inspected, and coverage."""
    w = _Where(scope, "s")
    w.raw("s.name_v IS NOT NULL AND s.closed_v IS NULL")
    campaign = w.param(campaign_id)
    rows = await db.fetch(
        f"""
        WITH sites AS (SELECT s.site_id, s.village_id, s.township FROM lg_sites s
                       WHERE {w.sql}),
        rounds AS (SELECT campaign_id, round_no, township FROM lg_rounds
                   WHERE plan_v IS NOT NULL AND ({campaign}::text IS NULL
                                                 OR {in_campaign("campaign_id", campaign)})),
        planned AS (SELECT p.campaign_id, p.round_no, p.site_id FROM lg_plan_sites p
                    JOIN lg_rounds r USING (campaign_id, round_no)
                    WHERE p.plan_version = r.plan_v),
        visited AS (SELECT DISTINCT campaign_id, round_no, site_id FROM lg_inspections
                    WHERE completed_v IS NOT NULL)
        SELECT sites.township, sites.village_id, v.name AS village_name,
               rounds.campaign_id, rounds.round_no,
               count(DISTINCT sites.site_id)::int AS places,
               count(DISTINCT planned.site_id)::int AS planned,
               count(DISTINCT visited.site_id)::int AS inspected
        FROM sites JOIN rounds ON rounds.township = sites.township
        LEFT JOIN planned ON planned.site_id = sites.site_id
             AND planned.campaign_id = rounds.campaign_id AND planned.round_no = rounds.round_no
        LEFT JOIN visited ON visited.site_id = sites.site_id
             AND visited.campaign_id = rounds.campaign_id AND visited.round_no = rounds.round_no
        LEFT JOIN lg_villages v ON v.village_id = sites.village_id
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 4, 5
        """,
        *w.args,
    )
    out = []
    for r in rows:
        item = dict(r)
        item["coverage"] = round(item["inspected"] / item["places"], 4) if item["places"] else None
        out.append(item)
    return out


_DIMENSION_SQL: dict[Dimension, tuple[str, str]] = {
    # key expression on hazards (h) / inspections (i), label join
    Dimension.TOWNSHIP: ("{a}.township", "township"),
    Dimension.VILLAGE: ("{a}.village_id", "village"),
    Dimension.CATEGORY: ("{a}.category", "category"),
    Dimension.GROUP: ("{a}.group_id", "group"),
    Dimension.ROUND: ("{a}.campaign_id || '#' || {a}.round_no", "round"),
}


async def figures(
    db: Database,
    scope: Scope,
    as_of: datetime,
    *,
    by: Dimension | None,
    campaign_id: str | None = None,
    round_no: int | None = None,
    lang: str = "zh",
) -> list[Figures]:
    """Figures per slice of `by` (or one total row when `by` is None)."""
    key_sql = "'total'" if by is None else _DIMENSION_SQL[by][0]
    hw = _Where(scope, "h")
    hw.raw("h.found_v IS NOT NULL")
    hw.campaign("h.campaign_id", campaign_id)
    hw.maybe("h.round_no = {}", round_no)
    overdue = _overdue_sql(hw.param(as_of))
    hazard_rows = await db.fetch(
        f"SELECT {key_sql.format(a='h')} AS key, count(*)::int AS hazards, "
        f"count(*) FILTER (WHERE h.state = '{HazardState.VERIFIED.value}')::int AS verified, "
        f"count(*) FILTER (WHERE {overdue})::int AS overdue, "
        "count(*) FILTER (WHERE h.severity = 'major')::int AS major "
        f"FROM lg_hazards h WHERE {hw.sql} GROUP BY 1",
        *hw.args,
    )
    visit_rows: list[Any] = []
    if by is not Dimension.CATEGORY:
        iw = _Where(scope, "i")
        iw.raw("i.completed_v IS NOT NULL")
        iw.campaign("i.campaign_id", campaign_id)
        iw.maybe("i.round_no = {}", round_no)
        visit_rows = await db.fetch(
            f"SELECT {key_sql.format(a='i')} AS key, count(DISTINCT i.site_id)::int AS places, "
            f"count(*)::int AS inspections FROM lg_inspections i WHERE {iw.sql} GROUP BY 1",
            *iw.args,
        )
    found = {r["key"]: r for r in hazard_rows}
    visits = {r["key"]: r for r in visit_rows}
    labels = await _labels(db, by, set(found) | set(visits), lang)
    out = []
    for key in sorted(set(found) | set(visits), key=lambda k: (k is None, str(k))):
        h, v = found.get(key), visits.get(key)
        out.append(
            Figures(
                key=str(key),
                label=labels.get(key, str(key)),
                places_inspected=None if by is Dimension.CATEGORY else (v["places"] if v else 0),
                inspections=None if by is Dimension.CATEGORY else (v["inspections"] if v else 0),
                hazards=h["hazards"] if h else 0,
                verified=h["verified"] if h else 0,
                overdue=h["overdue"] if h else 0,
                major=h["major"] if h else 0,
            )
        )
    if by is None and not out:
        out.append(Figures("total", "total", 0, 0, 0, 0, 0, 0))
    return out


async def _labels(db: Database, by: Dimension | None, keys: set[Any], lang: str) -> dict[Any, str]:
    if by is Dimension.CATEGORY:
        return {k: label(CATEGORY_LABELS, k, lang) for k in keys if k is not None}
    queries = {
        Dimension.TOWNSHIP: "SELECT township_code AS key, name FROM lg_townships "
        "WHERE township_code = ANY($1)",
        Dimension.VILLAGE: "SELECT village_id AS key, name FROM lg_villages "
        "WHERE village_id = ANY($1)",
        Dimension.GROUP: "SELECT DISTINCT ON (group_id) group_id AS key, name FROM lg_groups "
        "WHERE group_id = ANY($1) ORDER BY group_id, formed_v DESC",
        Dimension.ROUND: "SELECT c.campaign_id || '#' || r.round_no AS key, "
        + (
            "c.name || ' round ' || r.round_no"
            if lang == "en"
            else "c.name || ' 第' || r.round_no || '轮'"
        )
        + " AS name FROM lg_rounds r "
        "JOIN lg_campaigns c USING (campaign_id) "
        "WHERE c.campaign_id || '#' || r.round_no = ANY($1)",
    }
    if by is None or by not in queries:
        return {}
    rows = await db.fetch(queries[by], [str(k) for k in keys if k is not None])
    return {r["key"]: r["name"] for r in rows if r["name"] is not None}


async def visits(db: Database, scope: Scope, campaign_id: str | None) -> list[Visit]:
    """Every completed inspection in scope with the new (non-recurrent) items it reported."""
    w = _Where(scope, "i")
    w.raw("i.completed_v IS NOT NULL")
    w.campaign("i.campaign_id", campaign_id)
    rows = await db.fetch(
        "SELECT i.inspection_id, i.site_id, i.group_id, i.inspected_at, i.hazard_count, "
        "coalesce(i.presence_flags, '') <> '' AS presence_flagged, "
        "array_remove(array_agg(h.checklist_item_id) "
        "FILTER (WHERE h.recurrence_of IS NULL), NULL) AS items "
        "FROM lg_inspections i LEFT JOIN lg_hazards h "
        "ON h.inspection_id = i.inspection_id AND h.found_v IS NOT NULL "
        f"WHERE {w.sql} GROUP BY i.inspection_id",
        *w.args,
    )
    return [
        Visit(
            inspection_id=r["inspection_id"],
            site_id=r["site_id"],
            group_id=r["group_id"],
            at=r["inspected_at"],
            hazards=r["hazard_count"],
            items=frozenset(r["items"] or ()),
            presence_flagged=r["presence_flagged"],
        )
        for r in rows
    ]


async def group_names(db: Database, scope: Scope) -> dict[str, str]:
    w = _Where(scope, "g", village_column=None)
    rows = await db.fetch(
        f"SELECT group_id, name, leader_id FROM lg_groups g WHERE {w.sql} AND formed_v IS NOT NULL",
        *w.args,
    )
    return {r["group_id"]: r["name"] for r in rows}


async def site_names(db: Database, scope: Scope) -> dict[str, str]:
    w = _Where(scope, "s")
    rows = await db.fetch(f"SELECT site_id, name FROM lg_sites s WHERE {w.sql}", *w.args)
    return {r["site_id"]: r["name"] for r in rows if r["name"] is not None}


async def township_names(db: Database, codes: set[str]) -> dict[str, str]:
    """Township code -> name, for documents that show names rather than codes."""
    return await _labels(db, Dimension.TOWNSHIP, set(codes), "zh")
