"""What each exported ledger shows: columns with zh/en headers, widths and formats.

Pure: rows in (dicts from the read side), cells out. XLSX and CSV are written from the
same sheets, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from crosscheck_contracts.events.hazards import (
    CATEGORY_LABELS,
    PRESENCE_FLAG_LABELS,
    SEVERITY_LABELS,
)
from crosscheck_ledgers.adapters.labels import (
    SITE_TYPE_LABELS,
    STATUS_LABELS,
    label,
)
from crosscheck_ledgers.domain.figures import Figures

DISPLAY_TZ = ZoneInfo("Asia/Shanghai")
Cell = str | int | float | None


def local_time(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M")


def local_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(DISPLAY_TZ).date()
    return value.isoformat()


@dataclass(frozen=True)
class SheetColumn:
    zh: str
    en: str
    width: int
    cell: Callable[[dict[str, Any], str], Cell]

    def header(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def _field(name: str) -> Callable[[dict[str, Any], str], Cell]:
    return lambda row, lang: row.get(name)


def _labelled(name: str, labels: dict[str, tuple[str, str]]) -> Callable[..., Cell]:
    return lambda row, lang: label(labels, row.get(name), lang)


def _time(name: str) -> Callable[..., Cell]:
    return lambda row, lang: local_time(row.get(name))


def _yes_no(name: str) -> Callable[..., Cell]:
    def cell(row: dict[str, Any], lang: str) -> Cell:
        value = row.get(name)
        if value is None:
            return ""
        return ("yes" if value else "no") if lang == "en" else ("是" if value else "否")

    return cell


def _or(name: str, fallback: str) -> Callable[..., Cell]:
    return lambda row, lang: row.get(name) or row.get(fallback)


def _presence(row: dict[str, Any], lang: str) -> Cell:
    """Whether the finding's and the re-check's evidence show presence at the place."""
    parts = []
    steps = (("found_presence", "检查", "inspection"), ("verify_presence", "复核", "re-check"))
    for name, zh, en in steps:
        flags = row.get(name)
        if flags is None:
            continue
        said = "、".join(label(PRESENCE_FLAG_LABELS, f, lang) for f in flags if f)
        ok = "on site" if lang == "en" else "在场"
        parts.append(f"{en if lang == 'en' else zh}: {said or ok}")
    return "; ".join(parts)


NUMBER_HEADER = ("序号", "No.")


@dataclass(frozen=True)
class Sheet:
    """One ledger as a clerk files it: numbered rows (序号), names rather than ids."""

    key: str
    zh: str
    en: str
    columns: Sequence[SheetColumn]
    numbered: bool = True

    def title(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def heading(self, township: str | None, lang: str) -> str:
        """The title row, e.g. 维的乡安全生产循环互查隐患清单 (the township named when
        the workbook is of one township)."""
        if lang == "en":
            where = f"{township}: " if township else ""
            return f"{where}rotating mutual safety inspections, {self.en.lower()}"
        return f"{township or ''}安全生产循环互查{self.zh}"

    def headers(self, lang: str) -> list[str]:
        number = [NUMBER_HEADER[1] if lang == "en" else NUMBER_HEADER[0]] if self.numbered else []
        return number + [c.header(lang) for c in self.columns]

    def widths(self) -> list[int]:
        return ([5] if self.numbered else []) + [c.width for c in self.columns]

    def cells(self, rows: Sequence[dict[str, Any]], lang: str) -> list[list[Cell]]:
        return [
            ([n] if self.numbered else []) + [c.cell(row, lang) for c in self.columns]
            for n, row in enumerate(rows, start=1)
        ]


C = SheetColumn

HAZARD_SHEET = Sheet(
    "hazards",
    "隐患清单",
    "Hazard list",
    [
        C("乡镇", "Township", 10, _or("township_name", "township")),
        C("村委会", "Village committee", 14, _or("village_name", "village_id")),
        C("场所", "Place", 20, _or("site_name", "site_id")),
        C("隐患类别", "Category", 14, _labelled("category", CATEGORY_LABELS)),
        C("隐患等级", "Severity", 10, _labelled("severity", SEVERITY_LABELS)),
        C("隐患描述", "Description", 30, _field("description")),
        C("通知书文号", "Notice No.", 22, _field("notice_file_number")),
        C("检查组", "Group", 12, _or("group_name", "group_id")),
        C("轮次", "Round", 6, _field("round_no")),
        C("发现时间", "Found at", 17, _time("found_at")),
        C("状态", "State", 11, _labelled("state", STATUS_LABELS)),
        C("整改期限", "Deadline", 17, _time("deadline")),
        C("整改措施", "Measures taken", 24, _field("measures")),
        C("完成时间", "Fixed at", 17, _time("reported_at")),
        C("是否逾期", "Overdue", 9, _yes_no("overdue")),
        C("持续天数", "Days open", 9, _field("days_open")),
        C("到场核验", "Presence", 24, _presence),
    ],
)

RESPONSIBILITY_SHEET = Sheet(
    "responsibility",
    "责任清单",
    "Responsibility list",
    [
        C("场所", "Place", 20, _or("site_name", "site_id")),
        C("隐患描述", "Description", 30, _field("description")),
        C("整改责任人", "Responsible person", 12, _field("responsible_person")),
        C(
            "督办村委会",
            "Supervising village committee",
            14,
            _or("supervising_village_name", "supervising_village_id"),
        ),
        C("检查组", "Inspecting group", 12, _or("group_name", "group_id")),
        C("带队领导", "Group leader", 12, _or("leader_name", "leader_id")),
        C("发现人", "Found by", 10, _field("found_by_name")),
        C("交办人", "Assigned by", 10, _field("assigned_by_name")),
        C("整改期限", "Deadline", 17, _time("deadline")),
        C("整改措施", "Measures taken", 24, _field("measures")),
        C("报告人", "Reported by", 10, _field("reported_by_name")),
        C("完成时间", "Fixed at", 17, _time("reported_at")),
        C("复核人", "Verified by", 12, _or("verified_by_name", "verified_by")),
        C("复核时间", "Verified at", 17, _time("verified_at")),
        C("状态", "State", 11, _labelled("state", STATUS_LABELS)),
    ],
)

SUMMARY_COLUMNS = [
    C("维度", "Breakdown", 10, _field("dimension")),
    C("名称", "Name", 24, _field("label")),
    C("检查场所数", "Places inspected", 11, _field("places_inspected")),
    C("检查次数", "Inspections", 9, _field("inspections")),
    C("发现隐患", "Hazards found", 9, _field("hazards")),
    C("已整改销号", "Verified", 10, _field("verified")),
    C("整改率(%)", "Rectified (%)", 10, _field("rectification_percent")),
    C("未整改", "Open", 8, _field("open")),
    C("逾期", "Overdue", 8, _field("overdue")),
    C("重大隐患", "Major", 9, _field("major")),
]
SUMMARY_SHEET = Sheet("summary", "汇总", "Summary", SUMMARY_COLUMNS, numbered=False)

DIMENSION_LABELS: dict[str, tuple[str, str]] = {
    "total": ("合计", "total"),
    "township": ("乡镇", "township"),
    "village": ("村委会", "village"),
    "category": ("隐患类别", "category"),
    "group": ("检查组", "group"),
    "round": ("轮次", "round"),
}


def summary_rows(sections: Sequence[tuple[str, Sequence[Figures]]], lang: str) -> list[dict]:  # type: ignore[type-arg]
    rows = []
    for dimension, figures in sections:
        for f in figures:
            row = f.as_dict()
            row["dimension"] = label(DIMENSION_LABELS, dimension, lang)
            if dimension == "total":
                row["label"] = label(DIMENSION_LABELS, "total", lang)
            rows.append(row)
    return rows


def base_sheet(rounds: Sequence[tuple[str, int]], lang: str) -> Sheet:
    """The base list, with two columns per round (inspected when, by which group)."""
    columns = [
        C("乡镇", "Township", 10, _or("township_name", "township")),
        C("村委会", "Village committee", 14, _or("village_name", "village_id")),
        C("场所名称", "Place", 20, _field("site_name")),
        C("场所类型", "Type", 12, _labelled("site_type", SITE_TYPE_LABELS)),
        C("地址", "Address", 24, _field("address")),
        C("负责人", "Responsible person", 10, _field("responsible_name")),
        C("联系电话", "Phone", 14, _field("responsible_phone_masked")),
    ]
    several = len({c for c, _ in rounds}) > 1
    for campaign, round_no in rounds:
        prefix = (f"{campaign} " if several else "") + (
            f"round {round_no}" if lang == "en" else f"第{round_no}轮"
        )
        columns.append(
            C(f"{prefix}检查时间", f"{prefix} inspected at", 17, _round_time(campaign, round_no))
        )
        columns.append(
            C(f"{prefix}检查组", f"{prefix} group", 12, _round_group(campaign, round_no))
        )
    return Sheet("base", "底数清单", "Base list", columns)


def _round_of(row: dict[str, Any], campaign: str, round_no: int) -> dict[str, Any] | None:
    for r in row.get("rounds", ()):
        if r["campaign_id"] == campaign and r["round_no"] == round_no:
            return r  # type: ignore[no-any-return]
    return None


def _round_time(campaign: str, round_no: int) -> Callable[..., Cell]:
    def cell(row: dict[str, Any], lang: str) -> Cell:
        r = _round_of(row, campaign, round_no)
        if r is None or not r["inspected"]:
            return "not inspected" if lang == "en" else "未检查"
        return local_time(r["inspected_at"])

    return cell


def _round_group(campaign: str, round_no: int) -> Callable[..., Cell]:
    def cell(row: dict[str, Any], lang: str) -> Cell:
        r = _round_of(row, campaign, round_no)
        if r is None:
            return ""
        return r["group_name"] or r["group_id"] or r["planned_group_name"] or ""

    return cell
