"""Checklists: versioned inspection templates per place type, kept as data.

Items live once in a library and checklists list them, so the same check (e.g. "fire
extinguishers present and in date") keeps one id across place types and versions —
which is what recurrence links and cross-group comparisons (标准统一) key on.
A township adds its own items on top of the standard checklist for the types it names.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from crosscheck_contracts.events.hazards import HazardCategory, Severity
from crosscheck_contracts.events.registry import SiteType
from crosscheck_platform.errors import RuleViolation

TOWNSHIP_ITEM_PREFIX = "t."
"""Township items are namespaced so they never collide with standard item ids."""


@dataclass(frozen=True)
class ChecklistItem:
    item_id: str
    category: HazardCategory
    check: str
    """What the inspector checks (检查内容), in Chinese."""
    check_en: str
    hazard: str
    """Default hazard description when the check fails (隐患描述)."""
    action: str
    """What the place must do to fix it (整改要求); printed on the notice."""
    severity: Severity = Severity.GENERAL
    """Default severity when failed; the inspector may raise or lower it."""
    basis: str = ""
    """The article a failed check breaches (依据), e.g. 《中华人民共和国消防法》第二十八条;
    printed on the notice."""


@dataclass(frozen=True)
class Checklist:
    checklist_id: str
    version: str
    site_type: SiteType
    items: tuple[ChecklistItem, ...]

    def item(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.item_id == item_id), None)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.item_id for i in self.items)


@dataclass(frozen=True)
class TownshipItem:
    """An item a township added for some place types (乡镇自定义检查项)."""

    item: ChecklistItem
    site_types: frozenset[SiteType]


@dataclass(frozen=True)
class _Template:
    checklist_id: str
    version: int
    site_types: frozenset[SiteType]
    item_ids: tuple[str, ...]


@dataclass(frozen=True)
class ChecklistLibrary:
    """Every standard item and every version of every standard checklist."""

    items: Mapping[str, ChecklistItem]
    templates: Sequence[_Template] = field(default_factory=tuple)

    def current(self, site_type: SiteType) -> _Template:
        candidates = [t for t in self.templates if site_type in t.site_types]
        if not candidates:
            raise RuleViolation("checklist.unknown_site_type", site_type=site_type.value)
        return max(candidates, key=lambda t: t.version)

    def checklist_for(
        self, site_type: SiteType, township_items: Iterable[TownshipItem] = ()
    ) -> Checklist:
        """The checklist a place of this type is inspected against today: the newest
        standard version plus the township's own items for the type."""
        template = self.current(site_type)
        extra = [t.item for t in township_items if site_type in t.site_types]
        items = tuple(self.items[i] for i in template.item_ids) + tuple(extra)
        version = f"{template.checklist_id}@{template.version}"
        if extra:
            version += f"+{len(extra)}"
        return Checklist(template.checklist_id, version, site_type, items)

    def find_item(self, item_id: str) -> ChecklistItem | None:
        return self.items.get(item_id)


def parse_library(text: str) -> ChecklistLibrary:
    """Read the standard checklists from their TOML form (see data/checklists.toml)."""
    data = tomllib.loads(text)
    items = {
        raw["id"]: ChecklistItem(
            item_id=raw["id"],
            category=HazardCategory(raw["category"]),
            check=raw["check"],
            check_en=raw["check_en"],
            hazard=raw["hazard"],
            action=raw["action"],
            severity=Severity(raw.get("severity", Severity.GENERAL.value)),
            basis=raw.get("basis", ""),
        )
        for raw in data["item"]
    }
    templates = []
    for raw in data["checklist"]:
        unknown = [i for i in raw["items"] if i not in items]
        if unknown:
            raise ValueError(f"checklist {raw['id']} v{raw['version']} names unknown {unknown}")
        if len(set(raw["items"])) != len(raw["items"]):
            raise ValueError(f"checklist {raw['id']} v{raw['version']} repeats an item")
        templates.append(
            _Template(
                checklist_id=raw["id"],
                version=int(raw["version"]),
                site_types=frozenset(SiteType(s) for s in raw["site_types"]),
                item_ids=tuple(raw["items"]),
            )
        )
    return ChecklistLibrary(items=items, templates=tuple(templates))
