"""The rectification notice (隐患整改通知书) of an inspection: what it says, assembled
from the inspection, its hazards, the base inventory and the checklists. The HTML and
PDF renderings both print exactly this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crosscheck_contracts.events.hazards import CATEGORY_LABELS, SEVERITY_LABELS, Severity
from crosscheck_hazards.adapters.inventory import Inventory
from crosscheck_hazards.domain.checklists import ChecklistItem
from crosscheck_hazards.domain.hazard import Hazard
from crosscheck_hazards.domain.inspection import Inspection
from crosscheck_platform.clock import CHINA_STANDARD_TIME

TITLE = "隐患整改通知书"
DEADLINE_PENDING = "待定(告知后限期整改)"
INTRO = (
    "经检查,你单位(场所)存在下列安全隐患。请按整改要求在期限内整改完毕,"
    "整改完成后及时向所在村委会报告,检查组将组织现场复核;"
    "逾期未整改或整改不到位的,将依法依规处理。"
)
MAJOR_NOTE = "重大隐患已提请乡镇党政领导挂牌督办。"
SIGNATURES = ("检查组成员(签字)", "场所负责人(签字)", "村委会(盖章)")
SEAL = "(乡镇人民政府盖章)"
STATUS_NOTE = "扫描二维码可查看本通知书所列隐患的整改进度(不含个人信息)。"
CUT_LINE = "✂ - - - - - - - - - - - 沿此线剪开,回执交检查组 - - - - - - - - - - -"
RECEIPT_TITLE = "回  执"
BASIS_PENDING = "按有关规定"


def local_date_time(value: datetime) -> str:
    return value.astimezone(CHINA_STANDARD_TIME).strftime("%Y年%m月%d日 %H:%M")


def local_date(value: datetime) -> str:
    return value.astimezone(CHINA_STANDARD_TIME).strftime("%Y年%m月%d日")


@dataclass(frozen=True)
class NoticeLine:
    number: int
    description: str
    category: str
    severity: str
    action: str
    basis: str
    deadline: str
    responsible: str
    recurrence: bool


@dataclass(frozen=True)
class Notice:
    reference: str
    """The file number in the township's yearly sequence, e.g. 维的乡互查整改〔2026〕第12号."""
    township: str
    site_name: str
    site_address: str
    site_responsible: str
    village: str
    group: str
    inspected_at: str
    lines: tuple[NoticeLine, ...]
    has_major: bool
    issued_on: str
    inspectors: tuple[str, ...]
    """Names of the staff present at the inspection."""
    status_url: str
    """The public status page the QR code opens."""

    title: str = TITLE
    intro: str = INTRO
    major_note: str = MAJOR_NOTE
    signatures: tuple[str, ...] = SIGNATURES
    seal: str = SEAL
    status_note: str = STATUS_NOTE
    cut_line: str = CUT_LINE
    receipt_title: str = RECEIPT_TITLE

    @property
    def receipt(self) -> str:
        return (
            f"{self.township}安全生产循环互查检查组:\n"
            f"    你组于{self.inspected_at}送达的《{self.title}》({self.reference})已收到,"
            f"共 {len(self.lines)} 项隐患,我单位(场所)将按要求限期整改。"
        )

    receipt_signatures: tuple[str, ...] = ("受检场所(签章)", "签收人", "签收日期")


@dataclass(frozen=True)
class Issue:
    """What issuing the notice gave it: its file number and its status page's link."""

    file_number: str
    status_url: str


async def assemble(
    inspection: Inspection,
    hazards: list[Hazard],
    township: str,
    inventory: Inventory,
    items: dict[str, ChecklistItem],
    now: datetime,
    issue: Issue,
) -> Notice:
    done = inspection.completed
    assert done is not None
    site = await inventory.site(township, done.site_id)
    lines = []
    for number, hazard in enumerate(hazards, start=1):
        found = hazard.found
        assert found is not None
        item = items.get(found.checklist_item_id)
        lines.append(
            NoticeLine(
                number=number,
                description=found.description,
                category=CATEGORY_LABELS[found.category][0],
                severity=SEVERITY_LABELS[found.severity][0],
                action=item.action if item else "按有关规定整改",
                basis=(item.basis if item else "") or BASIS_PENDING,
                deadline=local_date_time(hazard.deadline) if hazard.deadline else DEADLINE_PENDING,
                responsible=hazard.responsible_person_name
                or (site.responsible_name if site else ""),
                recurrence=found.recurrence_of is not None,
            )
        )
    township_name = await inventory.township_name(township) or township
    names = await inventory.staff_names(township, list(done.present_staff_ids))
    if done.actor is not None and done.actor.staff_id is not None:
        names.setdefault(done.actor.staff_id, done.actor.name)  # as their token named them
    return Notice(
        reference=issue.file_number,
        township=township_name,
        site_name=site.name if site else done.site_id,
        site_address=site.address if site else "",
        site_responsible=site.responsible_name if site else "",
        village=await inventory.village_name(done.village_id) or done.village_id,
        group=await inventory.group_name(township, done.campaign_id, done.group_id)
        or done.group_id,
        inspected_at=local_date_time(done.inspected_at),
        lines=tuple(lines),
        has_major=any(h.severity is Severity.MAJOR for h in hazards),
        issued_on=local_date(now),
        # Staff the registry has not named yet are left out rather than shown by id.
        inspectors=tuple(names[s] for s in done.present_staff_ids if s in names),
        status_url=issue.status_url,
    )
