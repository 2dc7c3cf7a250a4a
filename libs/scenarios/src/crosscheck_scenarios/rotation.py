"""Seeded township generators for tests, demos and the benchmark: the reference
scenario (Weide: 49 staff, 8+ leadership members, 7 village committees, 68 places) and
larger townships of any size."""

from __future__ import annotations

import random
from dataclasses import dataclass

from crosscheck_rotation.domain.county import CountyTownship
from crosscheck_rotation.domain.model import StaffMember, Zone
from crosscheck_rotation.domain.zoning import build_zones

UNITS = (
    "应急办",
    "综治中心",
    "综合执法队",
    "党政办",
    "经发办",
    "社会事务办",
    "自然资源所",
    "财政所",
)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国平华明军伟芳丽强磊洋艳勇杰娟涛超敏静秀英霞刚桂兰红"
LAST = "文武志忠德海林山云峰春秋冬梅松竹成学"


def staff_name(i: int) -> str:
    """A distinct Chinese name for the i-th official (unique below 12,000), so that what
    the rotation says names people, not ids; drawn from the index, not the seed's stream,
    so the rest of a generated township does not depend on it."""
    return SURNAMES[i % 20] + GIVEN[(i // 20) % 30] + LAST[(i // 600) % 20]


@dataclass(frozen=True)
class Township:
    villages: dict[str, str]
    sites: dict[str, str]
    """Site id -> village id."""
    staff: list[StaffMember]

    def zones(self, max_sites_per_zone: int | None = None) -> list[Zone]:
        return build_zones(self.villages, self.sites, max_sites_per_zone=max_sites_per_zone)


def township(
    seed: int,
    *,
    villages: int,
    places: int,
    staff: int,
    leadership: int,
    from_villages: float,
    conflict_rate: float = 0.0,
) -> Township:
    """Places spread unevenly over villages (at least one each); a share of the staff
    lives in the villages, the rest in the township seat; a share declares a conflict
    with another village or a place."""
    rng = random.Random(seed)
    vids = [f"v{i + 1:03d}" for i in range(villages)]
    names = {v: f"{i + 1}村" for i, v in enumerate(vids)}
    weights = [rng.uniform(0.5, 2.0) for _ in vids]
    homes = list(vids) + rng.choices(vids, weights, k=places - villages)
    sites = {f"p{i + 1:04d}": v for i, v in enumerate(sorted(homes))}
    site_ids = sorted(sites)
    members = []
    for i in range(staff):
        home = rng.choice(vids) if rng.random() < from_villages else None
        cv: frozenset[str] = frozenset()
        cs: frozenset[str] = frozenset()
        if rng.random() < conflict_rate:
            if rng.random() < 0.5:
                cv = frozenset({rng.choice(vids)})
            else:
                cs = frozenset({rng.choice(site_ids)})
        members.append(
            StaffMember(
                staff_id=f"s{i + 1:04d}",
                unit=rng.choice(UNITS),
                is_leadership=i < leadership,
                home_village_id=home,
                conflict_village_ids=cv,
                conflict_site_ids=cs,
                name=staff_name(i),
            )
        )
    return Township(names, sites, members)


def reference(seed: int = 20240607) -> Township:
    """Weide's shape: 7 villages, 68 places, 49 staff of whom 9 leadership members,
    about 40 % living in the villages, a few declared conflicts."""
    return township(
        seed, villages=7, places=68, staff=49, leadership=9, from_villages=0.4, conflict_rate=0.06
    )


def county(
    n: int,
    *,
    seed: int,
    villages: int,
    places: int,
    places_step: int,
    staff: int,
    leadership: int,
    team: slice,
    from_villages: float,
    conflict_rate: float,
) -> list[CountyTownship]:
    """`n` generated townships (the i-th has `places + i * places_step` places), each
    sending the staff of `team` as its team; ids prefixed by the township's code so that
    they stay apart across townships."""
    out = []
    for i in range(n):
        town = township(
            seed + i,
            villages=villages,
            places=places + places_step * i,
            staff=staff,
            leadership=leadership,
            from_villages=from_villages,
            conflict_rate=conflict_rate,
        )
        code = f"532327{101 + i:03d}"
        prefix = f"{code}-"
        members = tuple(
            StaffMember(
                prefix + s.staff_id,
                s.unit,
                s.is_leadership,
                None,
                frozenset(prefix + v for v in s.conflict_village_ids),
                frozenset(prefix + p for p in s.conflict_site_ids),
                s.name,
            )
            for s in town.staff[team]
        )
        out.append(
            CountyTownship(
                code,
                f"第{i + 1}乡镇",
                tuple(prefix + p for p in sorted(town.sites)),
                tuple(prefix + v for v in town.villages),
                members,
            )
        )
    return out
