"""Texts kept as data: a catalogue file loads in its order, a table of it alone, and an
entry that is not a pair of texts is refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosscheck_platform.i18n import load


def test_a_catalogue_loads_in_its_order_and_a_table_alone(tmp_path: Path) -> None:
    catalogue = tmp_path / "texts.toml"
    catalogue.write_text(
        '"b.first" = ["乙", "B"]\n"a.second" = ["甲 {n}", "A {n}"]\n'
        '[causes]\n"blocked" = ["片区{zone}", "Zone {zone}"]\n',
        encoding="utf-8",
    )
    texts = load(catalogue)
    assert list(texts.items()) == [("b.first", ("乙", "B")), ("a.second", ("甲 {n}", "A {n}"))]
    assert load(catalogue, "causes") == {"blocked": ("片区{zone}", "Zone {zone}")}


def test_an_entry_that_is_not_a_pair_of_texts_is_refused(tmp_path: Path) -> None:
    catalogue = tmp_path / "texts.toml"
    catalogue.write_text('"ok" = ["好", "fine"]\n"lonely" = ["只有中文"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="'lonely' is not a pair"):
        load(catalogue)
