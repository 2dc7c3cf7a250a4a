"""Finding villages and places by the names people write on sheets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from crosscheck_registry.domain.state import SiteRecord, VillageRecord

_SUFFIXES = ("村民委员会", "村委会", "居委会", "社区")


def village_key(name: str) -> str:
    """大村村委会, 大村 and 大村村民委员会 name the same village committee."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


class VillageIndex:
    def __init__(self, villages: list[VillageRecord]) -> None:
        self.by_key: dict[str, VillageRecord] = {}
        self.by_code: dict[str, VillageRecord] = {}
        self.by_id: dict[str, VillageRecord] = {}
        for village in villages:
            self.add(village)

    def add(self, village: VillageRecord) -> None:
        self.by_key.setdefault(village_key(village.name), village)
        self.by_code[village.code] = village
        self.by_id[village.id] = village

    def find(self, written: str) -> VillageRecord | None:
        """By name (with or without 村委会) or by its 12-digit code."""
        return self.by_code.get(written) or self.by_key.get(village_key(written))

    def name_of(self, village_id: str | None) -> str | None:
        village = self.by_id.get(village_id or "")
        return village.name if village else village_id


@dataclass(frozen=True)
class SiteRef:
    id: str
    village_id: str
    name: str


class SiteIndex:
    """Active places by name; a name shared by places in two villages is written
    村委会/场所名称 to tell them apart."""

    def __init__(self, villages: VillageIndex) -> None:
        self.villages = villages
        self.by_name: dict[str, list[SiteRef]] = defaultdict(list)

    def add(self, ref: SiteRef) -> None:
        self.by_name[ref.name].append(ref)

    def add_record(self, record: SiteRecord) -> None:
        if record.active:
            self.add(SiteRef(record.id, record.facts.village_id, record.facts.name))

    def find(self, written: str) -> tuple[SiteRef | None, str | None]:
        """(place, None) or (None, message key of the problem)."""
        village_name, slash, site_name = written.replace("／", "/").rpartition("/")
        if not slash:
            candidates = self.by_name.get(written, [])
        else:
            village = self.villages.find(village_name.strip())
            candidates = [
                ref
                for ref in self.by_name.get(site_name.strip(), [])
                if village is not None and ref.village_id == village.id
            ]
        if len(candidates) == 1:
            return candidates[0], None
        if not candidates:
            return None, "registry.import.unknown_site"
        return None, "registry.import.ambiguous_site"
