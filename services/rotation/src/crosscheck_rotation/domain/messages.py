"""The rotation service's texts, Chinese first, registered with the platform catalogue."""

from __future__ import annotations

from crosscheck_platform import i18n

CAUSES: dict[str, tuple[str, str]] = {
    "too_many_groups": (
        "检查组({groups}个)多于需检查的场所({places}个),有的组将无事可做",
        "There are {groups} groups but only {places} places: some groups would have no work.",
    ),
    "too_few_leaders": (
        "需要{groups}名党政班子成员带队,但在册的只有{leaders}名",
        "{groups} groups need {groups} leadership members to lead them; "
        "only {leaders} are on the staff.",
    ),
    "zone_blocked": (
        "片区{zone}:每个检查组都有须回避该片区的成员(住在该村或申报了回避:{members})",
        "Zone {zone}: every group has a member who must recuse from it "
        "(lives there or declared a conflict: {members}).",
    ),
    "group_blocked": (
        "检查组{group}:每个片区都有须回避的组员,该组无处可查",
        "Group {group}: for every zone a member must recuse, so the group can inspect nowhere.",
    ),
    "zone_few_groups": (
        "片区{zone}只有{count}个检查组可以进入({groups}),但按轮换规则每连续{window}轮需要{need}个不同的检查组",
        "Zone {zone} may be entered by only {count} groups ({groups}), but the rotation needs "
        "{need} different groups in every {window} consecutive rounds.",
    ),
    "group_few_zones": (
        "检查组{group}只能进入{count}个片区({zones}),但按轮换规则每连续{window}轮需要{window}个不同的片区",
        "Group {group} may enter only {count} zones ({zones}), but the rotation needs "
        "{window} different zones in every {window} consecutive rounds.",
    ),
    "round_zone_uncovered": (
        "第{round}轮:没有检查组可以进入片区{zone}(可进入的组近期都查过该片区)",
        "Round {round}: no group may enter zone {zone} (every group allowed there "
        "inspected it recently).",
    ),
    "round_blocked": (
        "第{round}轮:检查组{groups}无法各自分到可进入的片区,他们合计只能进入{zones}",
        "Round {round}: groups {groups} cannot each get a zone they may enter; together "
        "they may enter only {zones}.",
    ),
    "groups_share_few_zones": (
        "检查组{groups}每连续{window}轮各需进入{window}个不同的片区,但他们合计只能进入{zones},名额不够",
        "Groups {groups} each need {window} different zones in every {window} consecutive "
        "rounds, but together they may enter only {zones}: not enough room.",
    ),
    "k_not_reached": (
        "试了{draws}次抽签组队,没有一次能满足“{k}轮内不重复”;最好的是第{draw}次,可达到 K={best}",
        "{draws} draws of the groups were tried and none allows no return within {k} rounds; "
        "the best, draw {draw}, reaches K = {best}.",
    ),
    "staff_conflict_unseatable": (
        "{members}之间申报了不得同组的回避关系,{groups}个检查组无法把他们全部分开",
        "{members} declared that they must not be in one group; {groups} groups cannot "
        "keep them all apart.",
    ),
    "staff_conflict_in_group": (
        "检查组{group}中的{member}与{other}申报了不得同组的回避关系",
        "In group {group}, {member} and {other} declared that they must not be in one group.",
    ),
    "solver_infeasible": (
        "在“{k}轮内不重复”的规则下,全部轮次无法同时排出",
        "No plan covers all rounds while no group returns to a zone within {k} rounds.",
    ),
    "solver_unknown": (
        "在限定时间内未找到满足全部规则的安排",
        "No plan meeting every rule was found within the time limit.",
    ),
}

SUGGESTIONS: dict[str, tuple[str, str]] = {
    "move_member": (
        "建议:把须回避{zone}的成员集中到同一个组,使其他组可以进入该片区",
        "Suggestion: put the members who must recuse from {zone} together in one group, "
        "so that other groups may enter it.",
    ),
    "move_member_out": (
        "建议:把须回避的成员调到其他组,或让该组成员尽量来自同一个村",
        "Suggestion: move the recused members to other groups, or draw the group's "
        "members from fewer villages.",
    ),
    "relax_k": (
        "建议:把“不重复轮数”放宽到 K={k}",
        "Suggestion: relax the no-repeat rule to K = {k}.",
    ),
    "split_or_move": (
        "建议:拆分较大的片区,或调整组员使更多检查组可以进入",
        "Suggestion: split a large zone, or move members so that more groups may enter.",
    ),
    "relax_or_move": (
        "建议:放宽“不重复轮数”K、拆分片区或调整组员",
        "Suggestion: relax the no-repeat rule K, split a zone, or move members.",
    ),
    "check_declared_pairs": (
        "建议:增加检查组,或核对这些人员之间的回避申报",
        "Suggestion: form more groups, or review the conflicts these people declared.",
    ),
    "move_one_of_pair": (
        "建议:把其中一人调到另一个检查组(POST …/groups/change)",
        "Suggestion: move one of them to another group (POST …/groups/change).",
    ),
    "best_draw": (
        "建议:接受 K={k}(以种子{seed}抽签可达到),或调整组员、拆分片区后再抽签",
        "Suggestion: accept K = {k} (the draw with seed {seed} reaches it), or move members "
        "or split zones and draw again.",
    ),
    "fewer_groups": (
        "建议:减少检查组数量,或增加带队领导",
        "Suggestion: form fewer groups, or enrol more leadership members.",
    ),
}

OTHER: dict[str, tuple[str, str]] = {
    "rotation.campaign_not_found": ("未找到该检查活动", "The campaign was not found."),
    "rotation.campaign_cancelled": (
        "检查活动“{campaign}”已取消,不能再更改",
        "The campaign “{campaign}” was cancelled and takes no further change.",
    ),
    "rotation.campaign_started": (
        "检查活动“{campaign}”已开始(已有轮次结束,或已排定且已到开始日期),不能取消",
        "The campaign “{campaign}” has started (a round is closed, or it is planned and "
        "its first day has come); it cannot be cancelled.",
    ),
    "rotation.campaign_exists": ("该检查活动已存在", "The campaign already exists."),
    "rotation.groups_not_formed": ("请先组建检查组", "Form the inspection groups first."),
    "rotation.groups_already_formed": (
        "检查组已组建,轮次开始后不能重组",
        "The groups are already formed and rounds have begun; they cannot be re-formed.",
    ),
    "rotation.round_not_found": ("第{round}轮尚未排定", "Round {round} is not scheduled."),
    "rotation.round_closed": (
        "第{round}轮已结束,不能更改",
        "Round {round} is closed and cannot change.",
    ),
    "rotation.round_out_of_order": (
        "须按顺序结束轮次:下一个应结束的是第{expected}轮",
        "Rounds close in order: the next to close is round {expected}.",
    ),
    "rotation.nothing_to_plan": (
        "没有可排的轮次(全部已结束)",
        "There are no rounds left to plan (all are closed).",
    ),
    "rotation.already_scheduled": (
        "各轮次已排定;如有变化请重新安排未开始的轮次",
        "The rounds are already scheduled; replan the rounds not yet started instead.",
    ),
    "rotation.group_without_leader": (
        "{group}已没有党政班子成员可以带队,请调整检查组",
        "{group} has no leadership member left to lead it; adjust the groups.",
    ),
    "rotation.reshuffle_unsupported": (
        "暂不支持轮次之间重新调配组员",
        "Reshuffling members between rounds is not supported yet.",
    ),
    "rotation.change_not_a_member": (
        "{member}不在任何检查组中",
        "{member} is in no group.",
    ),
    "rotation.change_not_leadership": (
        "{member}不是党政班子成员,不能带队",
        "{member} is not a leadership member and cannot lead a group.",
    ),
    "rotation.change_bad_group": (
        "请为{member}指定另一个检查组",
        "Name another group for {member}.",
    ),
    "rotation.change_bad_swap": (
        "{member}与{other}须分属两个不同的检查组才能互换",
        "{member} and {other} must be in two different groups to swap.",
    ),
    "rotation.change_staff_conflict": (
        "{member}与{other}申报了不得同组的回避关系,不能同在{group}",
        "{member} and {other} declared that they must not be in one group; they cannot "
        "both be in {group}.",
    ),
    "rotation.change_moves_leader": (
        "{member}是{group}的带队领导:请先更换带队领导,或与另一名党政班子成员互换",
        "{member} leads {group}: replace the leader first, or swap with another leadership member.",
    ),
    "rotation.ways_out": (
        "可以不重新抽签,只做小调整:把一名组员调到另一组、两名组员互换或更换带队领导"
        "(POST …/groups/change),未开始的轮次随之重新安排并逐条复核",
        "Without a new draw, a small change may do: move one member to another group, swap "
        "two members or replace a leader (POST …/groups/change); the rounds not yet "
        "started are then planned again and re-checked against every rule.",
    ),
    "rotation.bad_period": ("结束日期早于开始日期", "The period ends before it starts."),
    "rotation.no_places": ("没有需检查的场所", "There are no places to inspect."),
    "rotation.unknown_village": ("未知的村委会:{village}", "Unknown village committee: {village}."),
}


def register() -> None:
    """Every cause is registered with every suggestion as one message, so an error reads
    as a whole sentence in the caller's language."""
    messages = dict(OTHER)
    for rule, (czh, cen) in CAUSES.items():
        messages[f"rotation.cause.{rule}"] = (czh, cen)
        for hint, (szh, sen) in SUGGESTIONS.items():
            messages[f"rotation.infeasible.{rule}.{hint}"] = (f"{czh}。{szh}", f"{cen} {sen}")
    for hint, texts in SUGGESTIONS.items():
        messages[f"rotation.suggest.{hint}"] = texts
    i18n.register(messages)
