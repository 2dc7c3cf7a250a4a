"""Why a zone weighs what it does, in Chinese and English, from the weight's parts
(`domain.risk.ZoneRisk`), naming the zone and the groups."""

from __future__ import annotations

from collections.abc import Mapping

from crosscheck_contracts.events.hazards import PRESENCE_FLAG_LABELS
from crosscheck_rotation.domain.risk import LENIENT, MAJOR, OPEN, OVERDUE, PRESENCE, ZoneRisk


def _flags(flags: Mapping[str, int], lang: int) -> str:
    labels = [
        f"{PRESENCE_FLAG_LABELS.get(flag, (flag, flag))[lang]} {count}"
        for flag, count in flags.items()
    ]
    return ("、" if lang == 0 else ", ").join(labels)


def why_zh(r: ZoneRisk, zone: str, groups: Mapping[str, str]) -> str:
    parts = []
    if r.open:
        text = f"未整改隐患{r.open}处(各计{OPEN}分)"
        extra = []
        if r.major:
            extra.append(f"重大隐患{r.major}处(各加{MAJOR}分)")
        if r.overdue:
            extra.append(f"逾期未整改{r.overdue}处(各加{OVERDUE}分)")
        parts.append(text + (",其中" + "、".join(extra) if extra else ""))
    if r.presence_flagged:
        parts.append(
            f"{r.presence_flagged}次检查的证据未显示检查组到场({_flags(r.flags, 0)},"
            f"各计{PRESENCE}分)"
        )
    if r.lenient_groups:
        named = "、".join(groups.get(g, g) for g in r.lenient_groups)
        parts.append(
            f"{named}检查过本片区且经校准判为检查偏松(每组计{LENIENT}分;下一轮由其他检查组检查)"
        )
    return (
        f"{zone}:" + ";".join(parts) + f";合计{r.raw}分,按{r.places}个场所每10个折算,权重{r.weight}"
    )


def why_en(r: ZoneRisk, zone: str, groups: Mapping[str, str]) -> str:
    parts = []
    if r.open:
        text = f"{r.open} open hazard(s) ({OPEN} point each)"
        extra = []
        if r.major:
            extra.append(f"{r.major} major (+{MAJOR} each)")
        if r.overdue:
            extra.append(f"{r.overdue} overdue (+{OVERDUE} each)")
        parts.append(text + (", of which " + " and ".join(extra) if extra else ""))
    if r.presence_flagged:
        parts.append(
            f"{r.presence_flagged} inspection(s) whose evidence did not show the group on "
            f"site ({_flags(r.flags, 1)}; {PRESENCE} point each)"
        )
    if r.lenient_groups:
        named = ", ".join(groups.get(g, g) for g in r.lenient_groups)
        parts.append(
            f"{named} inspected it and the calibration finds them lenient ({LENIENT} points "
            "per group; another group inspects it next round)"
        )
    return (
        f"{zone}: " + "; ".join(parts) + f"; {r.raw} points per 10 of its {r.places} "
        f"places: weight {r.weight}."
    )


def why(r: ZoneRisk, zone: str, groups: Mapping[str, str]) -> dict[str, str]:
    return {"zh": why_zh(r, zone, groups), "en": why_en(r, zone, groups)}
