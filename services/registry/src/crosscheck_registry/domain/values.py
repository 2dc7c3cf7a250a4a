"""Value rules of the registry: names, phone numbers, division codes, place types.

Each check returns the normalised value or raises `Invalid` with a message key, so the
same rule serves a command (one error) and an import (one error per cell).
"""

from __future__ import annotations

import re
from typing import Any

from crosscheck_contracts.events.registry import SiteType


class Invalid(ValueError):
    """A value breaks a rule; `key` names the message, `params` fill it."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


_SPACE = re.compile(r"[\s\u3000]+")

NAME_MAX = 100
ADDRESS_MAX = 300
TEXT_MAX = 2000


def clean_text(raw: object) -> str:
    """A cell or field as text: trimmed, inner runs of (also full-width) spaces collapsed."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # spreadsheets store 13812345678 as a number
    return _SPACE.sub(" ", str(raw)).strip()


def name(raw: object, *, limit: int = NAME_MAX) -> str:
    value = clean_text(raw)
    if not value:
        raise Invalid("registry.value.required")
    if len(value) > limit:
        raise Invalid("registry.value.too_long", limit=limit)
    return value


def address(raw: object) -> str:
    return name(raw, limit=ADDRESS_MAX)


def text(raw: object) -> str:
    return name(raw, limit=TEXT_MAX)


# Mainland China: mobiles are 11 digits from 13x-19x; landlines are an area code of
# 3-4 digits starting with 0, then a 7-8 digit local number, optionally an extension.
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^(0[1-9][0-9]{1,2})-?([2-9][0-9]{6,7})(?:-([0-9]{1,6}))?$")
_PHONE_NOISE = re.compile(r"[\s\u3000()()]")


def phone(raw: object) -> str:
    """A mainland mobile (13812345678) or landline (0878-6123456[-123]) in one canonical
    form; +86 / 0086 prefixes and spaces are dropped, the landline area code is followed
    by a hyphen."""
    value = _PHONE_NOISE.sub("", clean_text(raw)).replace("—", "-").replace("－", "-")
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :].lstrip("-")
    if _MOBILE.match(value):
        return value
    landline = _LANDLINE.match(value)
    if landline:
        area, local, extension = landline.groups()
        return f"{area}-{local}" + (f"-{extension}" if extension else "")
    raise Invalid("registry.value.phone", value=clean_text(raw))


def mask_phone(canonical: str) -> str:
    """The form that may travel on public topics: at least four digits hidden."""
    if _MOBILE.match(canonical):
        return f"{canonical[:3]}****{canonical[-4:]}"
    area, local = canonical.split("-")[:2]
    shown = min(4, len(local) - 4)
    return f"{area}-{'*' * (len(local) - shown)}{local[-shown:]}"


def township_code(raw: object) -> str:
    value = clean_text(raw)
    if not re.fullmatch(r"[0-9]{9}", value):
        raise Invalid("registry.value.township_code", value=value)
    return value


def county_code(raw: object) -> str:
    value = clean_text(raw)
    if not re.fullmatch(r"[0-9]{6}", value):
        raise Invalid("registry.value.county_code", value=value)
    return value


def village_code(raw: object, township: str) -> str:
    """12 digits, the first nine being the township's own code."""
    value = clean_text(raw)
    if not re.fullmatch(r"[0-9]{12}", value):
        raise Invalid("registry.value.village_code", value=value)
    if not value.startswith(township):
        raise Invalid("registry.value.village_outside", value=value, township=township)
    return value


# Names used on township spreadsheets, including the official wording of the nine small
# places (九小场所) and common short forms; English codes are accepted as well.
SITE_TYPE_NAMES: dict[str, SiteType] = {
    "企业": SiteType.ENTERPRISE,
    "工矿企业": SiteType.ENTERPRISE,
    "学校": SiteType.SCHOOL,
    "幼儿园": SiteType.SCHOOL,
    "超市": SiteType.SUPERMARKET,
    "商超": SiteType.SUPERMARKET,
    "小商店": SiteType.SMALL_SHOP,
    "小商铺": SiteType.SMALL_SHOP,
    "小卖部": SiteType.SMALL_SHOP,
    "小餐饮": SiteType.SMALL_RESTAURANT,
    "小餐饮场所": SiteType.SMALL_RESTAURANT,
    "小餐馆": SiteType.SMALL_RESTAURANT,
    "小旅馆": SiteType.SMALL_HOTEL,
    "小宾馆": SiteType.SMALL_HOTEL,
    "小娱乐场所": SiteType.SMALL_ENTERTAINMENT,
    "小歌舞娱乐场所": SiteType.SMALL_ENTERTAINMENT,
    "小医院": SiteType.SMALL_CLINIC,
    "小诊所": SiteType.SMALL_CLINIC,
    "小医疗机构": SiteType.SMALL_CLINIC,
    "小学校": SiteType.SMALL_SCHOOL,
    "小学校或幼儿园": SiteType.SMALL_SCHOOL,
    "小培训机构": SiteType.SMALL_SCHOOL,
    "小作坊": SiteType.SMALL_WORKSHOP,
    "小加工作坊": SiteType.SMALL_WORKSHOP,
    "小生产加工企业": SiteType.SMALL_WORKSHOP,
    "小网吧": SiteType.SMALL_INTERNET_CAFE,
    "小美容洗浴": SiteType.SMALL_BEAUTY_BATH,
    "小美容洗浴场所": SiteType.SMALL_BEAUTY_BATH,
    "小美容美发": SiteType.SMALL_BEAUTY_BATH,
    "其他": SiteType.OTHER,
    "其它": SiteType.OTHER,
}

# The name written back on exports and shown to people, one per type.
SITE_TYPE_LABELS: dict[SiteType, str] = {
    SiteType.ENTERPRISE: "企业",
    SiteType.SCHOOL: "学校",
    SiteType.SUPERMARKET: "超市",
    SiteType.SMALL_SHOP: "小商店",
    SiteType.SMALL_RESTAURANT: "小餐饮",
    SiteType.SMALL_HOTEL: "小旅馆",
    SiteType.SMALL_ENTERTAINMENT: "小娱乐场所",
    SiteType.SMALL_CLINIC: "小诊所",
    SiteType.SMALL_SCHOOL: "小学校",
    SiteType.SMALL_WORKSHOP: "小作坊",
    SiteType.SMALL_INTERNET_CAFE: "小网吧",
    SiteType.SMALL_BEAUTY_BATH: "小美容洗浴",
    SiteType.OTHER: "其他",
}


def site_type(raw: object) -> SiteType:
    value = clean_text(raw)
    if not value:
        raise Invalid("registry.value.required")
    known = SITE_TYPE_NAMES.get(value)
    if known is not None:
        return known
    try:
        return SiteType(value.lower())
    except ValueError:
        raise Invalid("registry.value.site_type", value=value) from None


_YES = {"是", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "n", "no", "false", "0", ""}


def yes_no(raw: object) -> bool:
    """是/否 (also Y/N, 1/0, true/false); an empty cell is 否."""
    value = clean_text(raw).lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise Invalid("registry.value.yes_no", value=clean_text(raw))


_LIST_SEPARATORS = re.compile(r"[、,,;;]")


def name_list(raw: object) -> list[str]:
    """Several names in one cell, separated by 、 , , ; or ;; duplicates dropped."""
    seen: dict[str, None] = {}
    for part in _LIST_SEPARATORS.split(clean_text(raw)):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)
