"""What the ledgers' read operations answer, as the OpenAPI documents show them.

A row is listed once its defining event has arrived; what later events (or other
contexts' streams) fill in is null until they arrive, so most columns are optional.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from crosscheck_ledgers.domain.figures import Dimension


class Page(BaseModel):
    total: int = Field(description="rows matching, on every page")
    limit: int
    offset: int


class SiteRound(BaseModel):
    """One round at one place: the group planned, and whether (and by whom) it was inspected."""

    campaign_id: str
    round_no: int
    planned_group_id: str | None
    planned_group_name: str | None
    inspected: bool
    inspected_at: datetime | None = Field(description="the first visit")
    group_id: str | None = Field(description="the group of the first visit")
    group_name: str | None
    visits: int
    hazards: int


class BaseRow(BaseModel):
    """A place on the base list (底数清单)."""

    site_id: str
    township: str
    site_name: str | None
    village_id: str | None
    village_name: str | None
    site_type: str | None
    address: str | None
    responsible_name: str | None
    responsible_phone_masked: str | None = Field(description="e.g. 138****5678")
    closed_on: date | None
    rounds: list[SiteRound]


class BasePage(Page):
    items: list[BaseRow]


class CoverageRow(BaseModel):
    township: str
    village_id: str | None
    village_name: str | None
    campaign_id: str
    round_no: int
    places: int = Field(description="open places on the base list")
    planned: int
    inspected: int
    coverage: float | None = Field(description="inspected over places; null without places")


class Coverage(BaseModel):
    items: list[CoverageRow]


class ResponsibilityRow(BaseModel):
    """A hazard on the responsibility list (责任清单): who fixes it, who supervises."""

    hazard_id: str
    township: str
    site_id: str | None
    site_name: str | None
    description: str | None
    responsible_person: str | None
    responsible_staff_id: str | None
    supervising_village_id: str | None
    supervising_village_name: str | None
    group_id: str | None
    group_name: str | None
    leader_id: str | None
    leader_name: str | None
    deadline: datetime | None
    found_by_name: str | None = Field(None, description="who recorded the finding")
    assigned_by_name: str | None = Field(None, description="who assigned the fix")
    reported_by_name: str | None = Field(None, description="who reported the fix done")
    measures: str | None = Field(None, description="what the fix report says was done (整改措施)")
    notice_file_number: str | None = Field(
        None, description="the rectification notice's file number (通知书文号), once issued"
    )
    reported_at: datetime | None = None
    verified_by: str | None
    verified_by_name: str | None
    verified_at: datetime | None
    state: str | None
    overdue: bool | None = Field(description="past its deadline and not verified; null without one")


class HazardRow(ResponsibilityRow):
    """A hazard on the hazard list (隐患清单)."""

    township_name: str | None
    campaign_id: str | None
    round_no: int | None
    village_id: str | None
    village_name: str | None
    inspection_id: str | None
    checklist_item_id: str | None
    category: str | None
    severity: str | None
    found_at: datetime | None
    recurrence_of: str | None
    state_at: datetime | None
    notified_at: datetime | None
    told_person: str | None
    signed: bool | None
    rejected_at: datetime | None
    rejection_reason: str | None
    escalation_level: str | None
    overdue_noticed_at: datetime | None
    days_open: int | None
    found_presence: list[str] | None = Field(
        None,
        description="presence flags of the finding inspection's evidence (empty: on site; "
        "null: not assessed)",
    )
    verify_presence: list[str] | None = Field(
        None, description="presence flags of the verification's evidence"
    )


class ResponsibilityPage(Page):
    items: list[ResponsibilityRow]


class HazardPage(Page):
    items: list[HazardRow]


class FiguresRow(BaseModel):
    key: str
    label: str
    places_inspected: int | None = Field(description="null per category")
    inspections: int | None = Field(description="null per category")
    hazards: int
    verified: int
    open: int
    overdue: int
    major: int
    rectification_rate: float | None = Field(description="verified over found; null if none")
    rectification_percent: int | None = Field(description="the rate in whole percent, half up")


class FiguresAnswer(BaseModel):
    as_of: datetime
    by: Dimension | None
    total: FiguresRow
    items: list[FiguresRow]


class GroupCalibration(BaseModel):
    group_id: str
    group_name: str | None
    visits: int
    hazards: int
    comparable_visits: int
    observed: int
    expected: float
    ratio: float | None
    z: float | None
    p_value: float | None
    flagged: bool
    missed_later: int = Field(description="hazards a later group found right after this visit")
    presence_flagged: int = Field(
        0, description="visits whose evidence did not show the group on site that day"
    )


class MissedAtPlace(BaseModel):
    site_id: str
    site_name: str | None
    earlier_inspection_id: str
    earlier_group_id: str
    earlier_group_name: str | None
    earlier_at: datetime
    later_inspection_id: str
    later_group_id: str
    later_group_name: str | None
    later_at: datetime
    items: list[str]


class CalibrationAnswer(BaseModel):
    """Calibration (以查代训): groups whose find rate is anomalously low."""

    groups: list[GroupCalibration]
    missed: list[MissedAtPlace]
    threshold: float
    statistic: str
    alpha: float
    notes: list[str]
