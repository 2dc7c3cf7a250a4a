"""Townships (乡镇, the tenants) and their village committees (村委会, the zones).

A village is its own aggregate, because the contract keys VillageRegistered by the
village id; its id is its 12-digit division code, so registering the same village twice
is a stream conflict, not a duplicate. Uniqueness of names inside a township is checked
against the township's current villages (`check_new_village`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from crosscheck_contracts.base import Event
from crosscheck_contracts.events.registry import TownshipRegistered, VillageRegistered
from crosscheck_platform.errors import RuleViolation, StateConflict
from crosscheck_platform.eventstore import Aggregate


@dataclass(frozen=True)
class TownshipFacts:
    code: str
    name: str
    county_code: str
    county_name: str


class Township(Aggregate):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.facts: TownshipFacts | None = None

    @classmethod
    def register(cls, facts: TownshipFacts) -> Township:
        if not facts.code.startswith(facts.county_code):
            raise RuleViolation(
                "registry.township.outside_county", code=facts.code, county=facts.county_code
            )
        township = cls(facts.code)
        township._emit(
            TownshipRegistered(
                township_code=facts.code,
                name=facts.name,
                county_code=facts.county_code,
                county_name=facts.county_name,
            )
        )
        return township

    def apply(self, event: Event) -> None:
        if isinstance(event, TownshipRegistered):
            self.facts = TownshipFacts(
                event.township_code, event.name, event.county_code, event.county_name
            )


@dataclass(frozen=True)
class VillageFacts:
    code: str
    name: str


def village_id_for(code: str) -> str:
    return code


def check_new_village(new: VillageFacts, existing: Iterable[VillageFacts]) -> None:
    for village in existing:
        if village.code == new.code:
            raise StateConflict("registry.village.code_taken", code=new.code, name=village.name)
        if village.name == new.name:
            raise StateConflict("registry.village.name_taken", name=new.name, code=village.code)


class Village(Aggregate):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.facts: VillageFacts | None = None
        self.township_code = ""

    @classmethod
    def register(cls, township_code: str, facts: VillageFacts) -> Village:
        village = cls(village_id_for(facts.code))
        village._emit(
            VillageRegistered(
                village_id=village.id,
                code=facts.code,
                name=facts.name,
                township_code=township_code,
            )
        )
        return village

    def apply(self, event: Event) -> None:
        if isinstance(event, VillageRegistered):
            self.facts = VillageFacts(event.code, event.name)
            self.township_code = event.township_code
