"""Texts of county campaigns, Chinese first, registered with the platform catalogue."""

from __future__ import annotations

from crosscheck_platform import i18n

TEXTS: dict[str, tuple[str, str]] = {
    "rotation.county.no_leader": (
        "{township}没有党政班子成员可以带队,无法派出检查组",
        "{township} has no leadership member to lead its team.",
    ),
    "rotation.county.too_few_staff": (
        "{township}只能派出{found}人(需要{size}人,申报了不得同组的人员不同组)",
        "{township} can send only {found} people ({size} asked; people declared apart "
        "are not put in one team).",
    ),
    "rotation.county.not_in_county": (
        "乡镇{township}不属于本县",
        "The township {township} is not in this county.",
    ),
    "rotation.county.no_places": (
        "{township}没有需检查的场所,不能参加交叉互查",
        "{township} has no places to inspect and cannot take part.",
    ),
    "rotation.county.campaign_not_found": (
        "未找到该县级交叉互查活动",
        "The county campaign was not found.",
    ),
    "rotation.county_campaign": (
        "“{campaign}”是县级交叉互查活动在本乡镇的部分,由县里安排和结束轮次",
        "“{campaign}” is this township's part of a county campaign; the county plans it "
        "and closes its rounds.",
    ),
}


def register() -> None:
    i18n.register(TEXTS)
