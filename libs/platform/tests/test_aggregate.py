from __future__ import annotations

from crosscheck_contracts.base import Event
from crosscheck_platform.eventstore import Aggregate
from crosscheck_testing.sample_events import Counted, Renamed


class Tally(Aggregate):
    """A tiny aggregate: state only ever changes in `apply`."""

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.total = 0
        self.name = ""

    def count(self, amount: int) -> None:
        if amount <= 0:
            raise ValueError("amount must be positive")
        self._emit(Counted(n=self.version + 1, amount=amount))

    def rename(self, name: str) -> None:
        self._emit(Renamed(name=name))

    def apply(self, event: Event) -> None:
        match event:
            case Counted(amount=amount):
                self.total += amount
            case Renamed(name=name):
                self.name = name


def test_methods_emit_events_and_state_follows() -> None:
    tally = Tally("t-1")
    tally.count(3)
    tally.rename("维的")
    tally.count(2)
    assert (tally.total, tally.name, tally.version) == (5, "维的", 3)
    expected, pending = tally.collect_pending()
    assert expected == 0
    assert pending == [Counted(n=1, amount=3), Renamed(name="维的"), Counted(n=3, amount=2)]
    assert tally.collect_pending() == (3, [])


def test_rehydrated_aggregate_equals_the_original() -> None:
    original = Tally("t-2")
    original.count(4)
    original.rename("永仁")
    _, history = original.collect_pending()
    again = Tally.rehydrate("t-2", history)
    assert (again.total, again.name, again.version) == (4, "永仁", 2)
    again.count(1)
    assert again.collect_pending() == (2, [Counted(n=3, amount=1)])
