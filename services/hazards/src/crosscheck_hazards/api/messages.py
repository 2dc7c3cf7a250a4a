"""What the hazards service says to people, in Simplified Chinese and English: the texts of
its errors' message keys, rendered at the edge with the errors' parameters."""

from __future__ import annotations

from crosscheck_platform.i18n import register

MESSAGES: dict[str, tuple[str, str]] = {
    "hazard.not_found": ("未找到该隐患", "No such hazard."),
    "inspection.not_found": ("未找到该检查记录", "No such inspection."),
    "hazard.state_conflict": (
        "隐患当前状态为 {state},不能执行 {command};当前允许的操作:{allowed}",
        "The hazard is {state}; {command} is not possible. Allowed now: {allowed}",
    ),
    "hazard.verifier_is_responsible": (
        "整改责任人不能复核自己的整改",
        "The person responsible for the fix cannot re-check it.",
    ),
    "hazard.verifier_is_reporter": (
        "报告整改完成的人不能复核该整改",
        "Whoever reported the fix done cannot re-check it.",
    ),
    "hazard.verifier_not_in_group": (
        "复核须由发现该隐患的检查组成员,或后续轮次轮换到该片区的检查组成员进行",
        "The re-check must be done by a member of the group that found the hazard, "
        "or of a group assigned to its zone in a later round.",
    ),
    "hazard.override_reason_required": (
        "管理员越权复核须填写理由",
        "An administrator verifying outside the rules must give a reason.",
    ),
    "hazard.override_not_admin": (
        "只有乡镇管理员可以越权复核",
        "Only a township administrator may verify outside the rules.",
    ),
    "hazard.major_needs_photo": (
        "重大隐患复核须附至少一张在报告整改完成之后拍摄的照片",
        "Verifying a major hazard needs at least one photo taken after the fix was reported.",
    ),
    "hazard.presence_required": (
        "本乡镇要求重大隐患复核须有到场证明:复核照片须在场所 {radius_m} 米范围内、"
        "报告整改完成之后拍摄(未通过:{flags})",
        "This township requires proof of presence to verify a major hazard: photos taken "
        "within {radius_m} m of the place after the fix was reported (failed: {flags}).",
    ),
    "hazard.staff_required": (
        "此操作需由登记在册的检查人员执行",
        "Only registered inspection staff may do this.",
    ),
    "hazard.approver_unrecordable": (
        "无法记录批准人:当前账号没有可登记的人员编号,请使用已登记人员编号的管理员账号",
        "The approver cannot be recorded: this account has no usable staff id; "
        "use an administrator account with a registered staff id.",
    ),
    "hazard.deadline_not_ahead": (
        "整改期限必须晚于当前时间",
        "The deadline must be in the future.",
    ),
    "hazard.extension_not_later": (
        "延期后的期限必须晚于原期限({previous})",
        "The new deadline must be later than the current one ({previous}).",
    ),
    "hazard.escalation_not_higher": (
        "该隐患已上报至同级或更高层级督办",
        "The hazard is already escalated to this level or higher.",
    ),
    "hazard.not_your_village": (
        "只能处理本村委会督办的隐患",
        "You may only act on hazards your village committee follows up.",
    ),
    "inspection.not_assigned": (
        "检查组 {group} 未被分派在第 {round_no} 轮检查该场所;"
        "如确需检查,须由乡镇管理员填写原因后办理",
        "Group {group} is not assigned to this place in round {round_no}; "
        "a township administrator may record it with a reason.",
    ),
    "inspection.not_group_member": (
        "您不是检查组 {group} 的成员,不能代其登记检查",
        "You are not a member of group {group} and cannot record its inspection.",
    ),
    "inspection.staff_not_in_group": (
        "在场检查人员 {staff_ids} 不是检查组 {group} 的成员;"
        "如确需替换人员,须由乡镇管理员填写原因后办理",
        "Staff {staff_ids} recorded as present are not members of group {group}; "
        "a township administrator may record substitutes with a reason.",
    ),
    "inspection.override_needs_reason": (
        "跨分派登记检查必须填写原因",
        "Recording outside the round's assignment needs a reason.",
    ),
    "inspection.round_closed": (
        "检查活动 {campaign_id} 第 {round_no} 轮已结束,检查组不能再登记该轮检查;"
        "如需补录(如纸质检查表),须由乡镇管理员填写原因后办理",
        "Round {round_no} of campaign {campaign_id} is closed; groups can no longer record "
        "inspections for it. A township administrator may record one (e.g. a paper form) "
        "with a reason.",
    ),
    "inspection.round_closed_needs_reason": (
        "检查活动 {campaign_id} 第 {round_no} 轮已结束,补录该轮检查必须填写原因",
        "Round {round_no} of campaign {campaign_id} is closed; recording an inspection "
        "for it needs a reason.",
    ),
    "inspection.override_not_allowed": (
        "只有乡镇管理员可以跨分派登记检查",
        "Only a township administrator may record outside the assignment.",
    ),
    "inspection.site_unknown": (
        "场所 {site_id} 不在本乡镇底数清单中,请先在底数清单中登记",
        "Place {site_id} is not on the township's base inventory; register it first.",
    ),
    "inspection.site_closed": (
        "场所 {site_id} 已关闭或移出底数清单,不能登记检查",
        "Place {site_id} is closed or off the base inventory and cannot be inspected.",
    ),
    "inspection.already_recorded": (
        "该场所在本轮的检查已登记(检查编号 {inspection_id})",
        "This place's inspection for the round is already recorded ({inspection_id}).",
    ),
    "inspection.unknown_items": (
        "检查表中没有这些检查项:{items}",
        "These items are not on the checklist: {items}",
    ),
    "inspection.missing_items": (
        "以下检查项尚未填写结果:{items}",
        "These checklist items have no answer: {items}",
    ),
    "inspection.duplicate_items": (
        "检查项重复填写:{items}",
        "These checklist items are answered more than once: {items}",
    ),
    "inspection.in_future": (
        "检查时间不能晚于当前时间",
        "The inspection time cannot be in the future.",
    ),
    "checklist.unknown_site_type": (
        "没有适用于场所类型 {site_type} 的检查表",
        "There is no checklist for place type {site_type}.",
    ),
    "checklist.item_exists": (
        "检查项 {item_id} 已存在",
        "Checklist item {item_id} already exists.",
    ),
}


def register_messages() -> None:
    register(MESSAGES)
