"""Notice texts: Simplified Chinese by default, English for recipients who ask for it.

Each template is a subject and a body; parameters come from the planned notice
(`hazard_id`, `description`, `person`, `deadline`, `anchor`, `days`, `reason`) and, when
known at sending, the place (`place`, `address`) and the notice's public status link
(`status_url`).
Subjects name the hazard by its description (`subject_hazard`, shortened), which is what
a village committee recognises; the id stays in the body for anyone tracing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crosscheck_platform.i18n import Language, register, translate

_SIGNATURE = ("(安全生产循环互查督办)", "(Crosscheck safety follow-up)")

TEMPLATES: dict[str, tuple[str, str]] = {
    "notify.reminder.subject": (
        "【整改提醒】隐患“{subject_hazard}”还有 {days} 天到期",
        "[Reminder] Hazard '{subject_hazard}' is due in {days} day(s)",
    ),
    "notify.reminder.body": (
        "隐患:{description}(编号 {hazard_id})\n{place_zh}整改责任人:{person}\n整改期限:{deadline}\n"
        "距整改期限还有 {days} 天,请按期完成整改并报村委会复核。\n{status_zh}" + _SIGNATURE[0],
        "Hazard: {description} (id {hazard_id})\n{place_en}"
        "Responsible person: {person}\nDeadline: {deadline}\n"
        "{days} day(s) left: please finish the fix in time and report it to the village "
        "committee for re-verification.\n{status_en}" + _SIGNATURE[1],
    ),
    "notify.overdue.subject": (
        "【逾期未整改】隐患“{subject_hazard}”已超过整改期限",
        "[Overdue] Hazard '{subject_hazard}' has passed its deadline",
    ),
    "notify.overdue.body": (
        "隐患:{description}(编号 {hazard_id})\n{place_zh}整改责任人:{person}\n整改期限:{deadline}\n"
        "该隐患已逾期未整改,请立即整改;村委会请点对点跟踪督办。\n{status_zh}" + _SIGNATURE[0],
        "Hazard: {description} (id {hazard_id})\n{place_en}"
        "Responsible person: {person}\nDeadline: {deadline}\n"
        "The deadline has passed without a verified fix: fix it now; the village committee "
        "follows it up point-to-point.\n{status_en}" + _SIGNATURE[1],
    ),
    "notify.escalation_overdue.subject": (
        "【督办升级】隐患“{subject_hazard}”逾期 {days} 天仍未整改",
        "[Escalation] Hazard '{subject_hazard}' still not fixed {days} day(s) after its deadline",
    ),
    "notify.escalation_overdue.body": (
        "隐患:{description}(编号 {hazard_id})\n{place_zh}整改责任人:{person}\n整改期限:{deadline}\n"
        "该隐患逾期 {days} 天仍未整改销号,提请乡党政领导督办。\n{status_zh}" + _SIGNATURE[0],
        "Hazard: {description} (id {hazard_id})\n{place_en}"
        "Responsible person: {person}\nDeadline: {deadline}\n"
        "Still not fixed and closed {days} day(s) after the deadline: township leadership "
        "is asked to take over the follow-up.\n{status_en}" + _SIGNATURE[1],
    ),
    "notify.reverification.subject": (
        "【复核提醒】隐患“{subject_hazard}”整改已报 {days} 天,待现场复核",
        "[Re-verification] Hazard '{subject_hazard}': fix reported {days} day(s) ago, "
        "awaiting on-site check",
    ),
    "notify.reverification.body": (
        "隐患:{description}(编号 {hazard_id})\n{place_zh}整改上报时间:{anchor}\n"
        "该隐患整改已上报 {days} 天仍未现场复核,请检查组尽快复核销号。\n{status_zh}"
        + _SIGNATURE[0],
        "Hazard: {description} (id {hazard_id})\n{place_en}Fix reported: {anchor}\n"
        "The fix was reported {days} day(s) ago and has not been re-verified on site: "
        "the inspecting group is asked to check it soon.\n{status_en}" + _SIGNATURE[1],
    ),
    "notify.escalation_reverification.subject": (
        "【督办升级】隐患“{subject_hazard}”整改上报 {days} 天仍未复核",
        "[Escalation] Hazard '{subject_hazard}': fix not re-verified {days} day(s) "
        "after the report",
    ),
    "notify.escalation_reverification.body": (
        "隐患:{description}(编号 {hazard_id})\n{place_zh}整改上报时间:{anchor}\n"
        "整改上报已 {days} 天仍未现场复核,提请乡党政领导督办。\n{status_zh}" + _SIGNATURE[0],
        "Hazard: {description} (id {hazard_id})\n{place_en}Fix reported: {anchor}\n"
        "Not re-verified on site {days} day(s) after the report: township leadership is "
        "asked to take over the follow-up.\n{status_en}" + _SIGNATURE[1],
    ),
    "notify.escalated.subject": (
        "【督办升级】隐患“{subject_hazard}”已提级督办",
        "[Escalation] Hazard '{subject_hazard}' was escalated",
    ),
    "notify.escalated.body": (
        "隐患:{description}(编号 {hazard_id})\n{place_zh}提级时间:{anchor}\n原因:{reason}\n"
        "请跟踪督办至整改销号。\n{status_zh}" + _SIGNATURE[0],
        "Hazard: {description} (id {hazard_id})\n{place_en}Escalated: {anchor}\nReason: {reason}\n"
        "Please follow it up until it is fixed and closed.\n{status_en}" + _SIGNATURE[1],
    ),
    "notify.escalated_major.subject": (
        "【挂牌督办】重大隐患“{subject_hazard}”提请乡镇党政领导督办",
        "[Supervision] Major hazard '{subject_hazard}' handed to township leadership",
    ),
    "notify.escalated_major.body": (
        "隐患:{description}(编号 {hazard_id})\n{place_zh}提级时间:{anchor}\n"
        "重大隐患,提请乡镇党政领导挂牌督办,请跟踪督办至整改销号。\n{status_zh}" + _SIGNATURE[0],
        "Hazard: {description} (id {hazard_id})\n{place_en}Escalated: {anchor}\n"
        "A major hazard, handed to township leadership for supervision: please follow it "
        "up until it is fixed and closed.\n{status_en}" + _SIGNATURE[1],
    ),
}

register(TEMPLATES)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    language: Language
    facts: dict[str, str] = field(default_factory=dict)
    """What the body says in words, for machines: the place, its address, the status link
    (those known)."""


SUBJECT_HAZARD_CHARS = 16
_FACTS = ("place", "address", "file_number", "status_url")


def _place_and_status(params: dict[str, Any]) -> dict[str, str]:
    """The lines naming the place and the status link, left out where not known."""
    place, address = str(params.get("place") or ""), str(params.get("address") or "")
    url = str(params.get("status_url") or "")
    where_zh = f"场所:{place}" + (f"(地址:{address})" if address else "") if place else ""
    where_en = f"Place: {place}" + (f" ({address})" if address else "") if place else ""
    return {
        "place_zh": f"{where_zh}\n" if where_zh else "",
        "place_en": f"{where_en}\n" if where_en else "",
        "status_zh": f"整改进度查询:{url}\n" if url else "",
        "status_en": f"Status: {url}\n" if url else "",
    }


def render(template: str, language: Language, params: dict[str, Any]) -> Message:
    if f"{template}.subject" not in TEMPLATES:
        raise KeyError(f"no notice template {template!r}")
    description = str(params.get("description") or params.get("hazard_id", ""))
    if len(description) > SUBJECT_HAZARD_CHARS:
        description = description[:SUBJECT_HAZARD_CHARS] + "…"
    params = {**params, "subject_hazard": description, **_place_and_status(params)}
    return Message(
        subject=translate(f"{template}.subject", language, **params),
        body=translate(f"{template}.body", language, **params),
        language=language,
        facts={k: str(params[k]) for k in _FACTS if params.get(k)},
    )
