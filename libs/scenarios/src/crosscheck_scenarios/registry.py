"""A seeded generator of township inventories shaped like the reference scenario:
1 township, 7 village committees, 68 places of mixed types, 49 staff of whom at least 8
are leadership members, some with declared conflicts. Same seed, same township.

Written as the spreadsheets townships keep (Chinese headers), so fixtures, demos and
benchmarks exercise the same import path people use.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field

from crosscheck_contracts.events.registry import SiteType
from crosscheck_registry.domain.values import SITE_TYPE_LABELS

VILLAGE_HEADERS = ["村委会名称", "村委会代码"]
SITE_HEADERS = ["序号", "场所名称", "所属村委会", "场所类型", "地址", "负责人", "联系电话"]
STAFF_HEADERS = ["序号", "姓名", "单位", "是否班子成员", "居住村", "回避村", "回避场所"]

_VILLAGE_NAMES = [
    "维的",
    "大村",
    "夏家",
    "宜就",
    "仓房",
    "阿者",
    "马鞍山",
    "白马",
    "新村",
    "旧村",
    "大坪地",
    "小河",
    "龙泉",
    "松林",
    "石板",
    "中和",
    "尼白",
    "他的",
    "红岩",
    "箐门",
]
_SURNAMES = list(
    "李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
_GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉文斌春云海燕林荣发贵德福顺成"
)
_UNITS = [
    "党政综合办公室",
    "综治中心",
    "应急管理办公室",
    "农业农村服务中心",
    "自然资源所",
    "社会保障服务中心",
    "综合行政执法队",
    "林业和草原服务中心",
    "财政所",
    "文化旅游服务中心",
]
_LEADERSHIP_UNITS = ["乡党委", "乡人民政府", "乡人大主席团"]
_TEMPLATES: dict[SiteType, tuple[int, list[str]]] = {
    SiteType.ENTERPRISE: (
        5,
        ["{v}石材厂", "{v}建材有限公司", "{s}氏砖厂", "{v}茶叶加工厂", "{v}矿业有限公司"],
    ),
    SiteType.SCHOOL: (3, ["{v}小学", "{v}完小", "{v}幼儿园"]),
    SiteType.SUPERMARKET: (4, ["{v}惠民超市", "{v}万家福超市", "{s}氏平价超市"]),
    SiteType.SMALL_SHOP: (14, ["{s}记小卖部", "{v}便民商店", "{s}家杂货铺", "{v}农资店"]),
    SiteType.SMALL_RESTAURANT: (12, ["{s}家小吃店", "{v}米线馆", "{s}记烧烤", "{s}家饭馆"]),
    SiteType.SMALL_HOTEL: (4, ["{v}客栈", "{s}家旅社", "{v}农家乐"]),
    SiteType.SMALL_ENTERTAINMENT: (2, ["{v}歌舞厅", "{v}KTV"]),
    SiteType.SMALL_CLINIC: (4, ["{v}卫生室", "{s}氏诊所"]),
    SiteType.SMALL_SCHOOL: (2, ["{v}阳光培训班", "{v}书法培训班"]),
    SiteType.SMALL_WORKSHOP: (6, ["{s}记豆腐坊", "{v}米粉加工坊", "{s}家木器加工坊"]),
    SiteType.SMALL_INTERNET_CAFE: (2, ["{v}网吧"]),
    SiteType.SMALL_BEAUTY_BATH: (3, ["{s}美发店", "{v}洗浴中心"]),
    SiteType.OTHER: (3, ["{v}农贸市场", "{v}加油站", "{v}液化气供应点"]),
}
_NUMERALS = "一二三四五六七八九十"


@dataclass
class Scenario:
    county_code: str
    county_name: str
    township_code: str
    township_name: str
    villages: list[list[str]] = field(default_factory=list)
    sites: list[list[str]] = field(default_factory=list)
    staff: list[list[str]] = field(default_factory=list)

    @property
    def leadership_count(self) -> int:
        return sum(1 for row in self.staff if row[3] == "是")

    def to_xlsx(self) -> bytes:
        from openpyxl import Workbook

        workbook = Workbook()
        sheets = [
            ("村委会", VILLAGE_HEADERS, self.villages),
            ("场所", SITE_HEADERS, self.sites),
            ("人员", STAFF_HEADERS, self.staff),
        ]
        first = True
        for title, headers, rows in sheets:
            sheet = workbook.active if first else workbook.create_sheet()
            assert sheet is not None
            first = False
            sheet.title = title
            sheet.append(headers)
            for row in rows:
                sheet.append(row)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    def sites_csv(self) -> bytes:
        return to_csv(SITE_HEADERS, self.sites)

    def staff_csv(self) -> bytes:
        return to_csv(STAFF_HEADERS, self.staff)

    def villages_csv(self) -> bytes:
        return to_csv(VILLAGE_HEADERS, self.villages)


def to_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # with BOM, as Excel expects


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def person(self) -> str:
        while True:
            given = "".join(self.rng.choices(_GIVEN, k=self.rng.choice((1, 2, 2))))
            candidate = self.rng.choice(_SURNAMES) + given
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.12:
        return f"0878-6{rng.randrange(10**5, 10**6):06d}"
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def reference_scenario(
    seed: int = 2024,
    *,
    county_code: str = "532327",
    township_code: str = "532327102",
    township_name: str = "维的乡",
    villages: int = 7,
    sites: int = 68,
    staff: int = 49,
    leaders: int = 9,
    conflicts: int = 7,
) -> Scenario:
    rng = random.Random(seed)
    scenario = Scenario(county_code, "永仁县", township_code, township_name)
    names = rng.sample(_VILLAGE_NAMES, villages)
    scenario.villages = [
        [f"{n}村委会", f"{township_code}{201 + i:03d}"] for i, n in enumerate(names)
    ]
    people = _Names(rng)
    kinds = list(_TEMPLATES)
    weights = [_TEMPLATES[k][0] for k in kinds]
    taken: set[tuple[str, str]] = set()
    for number in range(1, sites + 1):
        village = names[(number - 1) % villages] if number <= villages else rng.choice(names)
        kind = rng.choices(kinds, weights)[0]
        template = rng.choice(_TEMPLATES[kind][1])
        name = template.format(v=village, s=rng.choice(_SURNAMES))
        suffix = 2
        while (village, name) in taken:
            base = template.format(v=village, s=rng.choice(_SURNAMES))
            name = f"{base}{_NUMERALS[(suffix - 1) % 10]}店"
            suffix += 1
        taken.add((village, name))
        address = (
            f"{township_name}{village}村委会{rng.choice(_NUMERALS)}组{rng.randrange(1, 120)}号"
        )
        scenario.sites.append(
            [
                str(number),
                name,
                f"{village}村委会",
                SITE_TYPE_LABELS[kind],
                address,
                people.person(),
                _phone(rng),
            ]
        )
    site_names = [(row[2], row[1]) for row in scenario.sites]
    for number in range(1, staff + 1):
        leader = number <= leaders
        unit = rng.choice(_LEADERSHIP_UNITS if leader else _UNITS)
        # Many staff come from the villages themselves; the others live in the township seat.
        home = rng.choice(names) + "村委会" if rng.random() < 0.6 else ""
        avoid_villages, avoid_sites = "", ""
        if (
            number % max(1, staff // conflicts) == 0
            and number // max(1, staff // conflicts) <= conflicts
        ):
            others = [n + "村委会" for n in names if n + "村委会" != home]
            avoid_villages = "、".join(rng.sample(others, rng.choice((1, 1, 2))))
            if rng.random() < 0.4:
                village, site = rng.choice(site_names)
                avoid_sites = f"{village}/{site}"
        scenario.staff.append(
            [
                str(number),
                people.person(),
                unit,
                "是" if leader else "否",
                home,
                avoid_villages,
                avoid_sites,
            ]
        )
    return scenario


# The five problems a township sheet typically has, one per row, in this order.
BAD_ROW_PROBLEMS = (
    ("所属村委会", "registry.import.unknown_village"),
    ("场所类型", "registry.value.site_type"),
    ("联系电话", "registry.value.phone"),
    ("场所名称", "registry.import.duplicate_site"),
    ("负责人", "registry.value.required"),
)


def with_bad_site_rows(scenario: Scenario, every: int = 10) -> tuple[list[list[str]], list[int]]:
    """The scenario's places with one bad row (see BAD_ROW_PROBLEMS) inserted after every
    `every` good rows; returns the rows and the sheet row numbers of the bad ones (the
    header being row 1)."""
    rows = [list(row) for row in scenario.sites]
    bad_numbers: list[int] = []
    for index, (column, _) in enumerate(BAD_ROW_PROBLEMS):
        position = (index + 1) * every + index
        template = list(rows[0])
        template[1] = f"新开{index}号店"
        if column == "所属村委会":
            template[2] = "不存在村委会"
        elif column == "场所类型":
            template[3] = "大酒店"
        elif column == "联系电话":
            template[6] = "138-1234"
        elif column == "场所名称":
            template[1] = rows[0][1]  # same name, same village as the first place
        else:
            template[5] = ""
        rows.insert(position, template)
        bad_numbers.append(position + 2)
    return rows, bad_numbers
