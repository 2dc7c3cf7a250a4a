"""Value rules shared by the API and the import."""

from __future__ import annotations

import pytest

from crosscheck_contracts.events.registry import SiteRegistered, SiteType
from crosscheck_contracts.samples import sample
from crosscheck_registry.domain import values
from crosscheck_registry.domain.values import Invalid


@pytest.mark.parametrize(
    ("raw", "canonical", "masked"),
    [
        ("13812345678", "13812345678", "138****5678"),
        (13812345678, "13812345678", "138****5678"),
        (13812345678.0, "13812345678", "138****5678"),
        ("+86 138 1234 5678", "13812345678", "138****5678"),
        ("0878-6123456", "0878-6123456", "0878-****456"),
        ("08786123456", "0878-6123456", "0878-****456"),
        ("010-62345678", "010-62345678", "010-****5678"),
        ("(0878)6123456-12", "0878-6123456-12", "0878-****456"),
    ],
)
def test_phones_are_canonical_and_masked_within_the_contract(
    raw: object, canonical: str, masked: str
) -> None:
    assert values.phone(raw) == canonical
    assert values.mask_phone(canonical) == masked
    # The masked form is what the public contract accepts.
    event = sample(SiteRegistered).model_copy(update={"responsible_phone_masked": masked})
    assert SiteRegistered.model_validate(event.model_dump()).responsible_phone_masked == masked


@pytest.mark.parametrize(
    "raw", ["1381234567", "23812345678", "12812345678", "6123456", "电话", "0878-612"]
)
def test_malformed_phones_are_refused_with_the_value(raw: str) -> None:
    with pytest.raises(Invalid) as problem:
        values.phone(raw)
    assert problem.value.key == "registry.value.phone"
    assert problem.value.params == {"value": raw}


def test_site_types_by_chinese_name_or_code() -> None:
    assert values.site_type("小餐饮") is SiteType.SMALL_RESTAURANT
    assert values.site_type(" 小卖部 ") is SiteType.SMALL_SHOP
    assert values.site_type("small_internet_cafe") is SiteType.SMALL_INTERNET_CAFE
    assert all(values.site_type(label) is kind for kind, label in values.SITE_TYPE_LABELS.items())
    with pytest.raises(Invalid) as problem:
        values.site_type("大餐厅")
    assert problem.value.key == "registry.value.site_type"


def test_codes_names_and_lists() -> None:
    assert values.village_code("532327102201", "532327102") == "532327102201"
    with pytest.raises(Invalid, match=r"registry.value.village_outside"):
        values.village_code("532327103201", "532327102")
    with pytest.raises(Invalid, match=r"registry.value.village_code"):
        values.village_code("5323271022", "532327102")
    with pytest.raises(Invalid, match=r"registry.value.required"):
        values.name("\u3000 ")
    with pytest.raises(Invalid, match=r"registry.value.too_long"):
        values.name("名" * 101)
    assert values.name(" 张\u3000 三 ") == "张 三"
    assert values.name_list("大村、夏家,宜就,大村; 仓房") == ["大村", "夏家", "宜就", "仓房"]
    assert values.yes_no("是") and not values.yes_no("") and values.yes_no("Y")
    with pytest.raises(Invalid, match=r"registry.value.yes_no"):
        values.yes_no("也许")
