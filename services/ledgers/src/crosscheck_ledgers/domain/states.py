"""Hazard states as the ledgers show them, and the labels users read (zh, en)."""

from __future__ import annotations

from enum import StrEnum

from crosscheck_contracts.events import SiteType


class HazardState(StrEnum):
    FOUND = "found"  # recorded, not yet told on the spot
    NOTIFIED = "notified"  # 当场告知
    RECTIFYING = "rectifying"  # 限期整改
    REPORTED = "reported"  # fix reported, awaiting 现场复核
    REJECTED = "rejected"  # re-check failed, back to rectification with a new deadline
    VERIFIED = "verified"  # 现场复核合格, closed (销号)


STATE_LABELS: dict[str, tuple[str, str]] = {
    HazardState.FOUND: ("待告知", "found"),
    HazardState.NOTIFIED: ("已告知", "notified"),
    HazardState.RECTIFYING: ("整改中", "being rectified"),
    HazardState.REPORTED: ("待复核", "awaiting re-check"),
    HazardState.REJECTED: ("复核未通过", "re-check failed"),
    HazardState.VERIFIED: ("已销号", "verified and closed"),
}

SITE_TYPE_LABELS: dict[str, tuple[str, str]] = {
    SiteType.ENTERPRISE: ("企业", "enterprise"),
    SiteType.SCHOOL: ("学校", "school"),
    SiteType.SUPERMARKET: ("超市", "supermarket"),
    SiteType.SMALL_SHOP: ("小商店", "small shop"),
    SiteType.SMALL_RESTAURANT: ("小餐饮", "small restaurant"),
    SiteType.SMALL_HOTEL: ("小旅馆", "small hotel"),
    SiteType.SMALL_ENTERTAINMENT: ("小娱乐场所", "small entertainment venue"),
    SiteType.SMALL_CLINIC: ("小医疗机构", "small clinic"),
    SiteType.SMALL_SCHOOL: ("小学校(培训机构)", "small school"),
    SiteType.SMALL_WORKSHOP: ("小作坊", "small workshop"),
    SiteType.SMALL_INTERNET_CAFE: ("小网吧", "small internet café"),
    SiteType.SMALL_BEAUTY_BATH: ("小美容洗浴场所", "small beauty or bath venue"),
    SiteType.OTHER: ("其他", "other"),
}


def label(labels: dict[str, tuple[str, str]], code: str | None, lang: str) -> str:
    if code is None:
        return ""
    zh, en = labels.get(code, (code, code))
    return en if lang == "en" else zh
