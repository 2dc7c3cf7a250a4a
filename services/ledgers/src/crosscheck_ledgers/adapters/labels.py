"""The labels users read for codes the ledgers show (zh, en): rendered at the edge."""

from __future__ import annotations

from crosscheck_contracts.events import SiteType
from crosscheck_contracts.events.hazards import STATUS_LABELS

__all__ = ["SITE_TYPE_LABELS", "STATUS_LABELS", "label"]

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
