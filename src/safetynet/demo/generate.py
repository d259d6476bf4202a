"""A synthetic but plausible 乡宁县 register for demonstration, reproducible from a seed.

Nothing here is real: village names and codes are invented (flagged `synthetic`), people are
drawn from distributions shaped like a rural Shanxi county's low-income population — older
heads of household, small families, more disability and illness than the general population,
low incomes mostly from farming, casual wages and pensions. IDs are valid 18-digit numbers with
the county code prefix and correct check digits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from safetynet.core.areas import VillageSpec, configured_county, county_data
from safetynet.core.resident_id import make_resident_id

SURNAMES = list("王李张刘杨赵郭贾郝史薛冯吴陈韩梁高段孙马任闫田武程宋曹牛乔白卫")
MALE_CHARS = list("建国军明伟强勇志华平文斌鹏飞海林金福德全保兴旺生春永东")
FEMALE_CHARS = list("秀英兰芳红梅丽霞玲娟艳萍珍凤琴翠花莲燕桂云娥慧敏静")
VILLAGE_PREFIX = list("东西南北上下前后大小新老")
VILLAGE_STEMS = ["坡", "庄", "沟", "峪", "岭", "河", "原", "塬", "底", "坪", "窑", "湾", "垣", "滩"]
DISABILITY_KINDS = ["physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple"]
ACTIVITIES = ["eating", "dressing", "transfer", "toileting", "walking", "bathing"]


@dataclass
class DemoPerson:
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    relation: str
    co_resident: bool = True
    not_counted_reason: str = ""
    disability_kind: str = ""
    disability_grade: int | None = None
    major_illness: bool = False
    fulltime_education: bool = False
    self_care_failed: list[str] = field(default_factory=list)
    labour_capacity: str = "full"
    phone: str = ""
    bank_account: str = ""
    income: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class DemoHousehold:
    village_code: str
    address: str
    hukou: str
    alleviated: bool
    members: list[DemoPerson]
    financial_assets: Decimal = Decimal(0)
    vehicles: list[dict] = field(default_factory=list)
    homes: int = 1
    rigid_medical_12m: Decimal = Decimal(0)
    rigid_education_12m: Decimal = Decimal(0)
    supporters: list[dict] = field(default_factory=list)
    risk_events: list[str] = field(default_factory=list)


@dataclass
class DemoCounty:
    villages: list[VillageSpec]
    households: list[DemoHousehold]


def _yuan(x: float) -> Decimal:
    return Decimal(int(round(max(x, 0.0), -1)))


class _Gen:
    def __init__(self, seed: int, today: dt.date, county_code: str):
        self.rng = np.random.default_rng(seed)
        self.today = today
        self.county_code = county_code
        self.used_ids: set[str] = set()

    def choice(self, items, p=None):
        return items[int(self.rng.choice(len(items), p=p))]

    def name(self, sex: str, surname: str | None = None) -> str:
        chars = MALE_CHARS if sex == "M" else FEMALE_CHARS
        given = self.choice(chars) + (self.choice(chars) if self.rng.random() < 0.7 else "")
        return (surname or self.choice(SURNAMES)) + given

    def birth(self, age: int) -> dt.date:
        start = dt.date(self.today.year - age - 1, self.today.month, 1) + dt.timedelta(days=1)
        return start + dt.timedelta(days=int(self.rng.integers(0, 364)))

    def resident_id(self, birth: dt.date, sex: str) -> str:
        while True:
            seq = int(self.rng.integers(0, 500)) * 2 + (1 if sex == "M" else 0)
            number = make_resident_id(self.county_code, birth, seq)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def person(self, relation: str, age: int, sex: str, surname: str | None = None) -> DemoPerson:
        age = max(0, min(age, 99))
        birth = self.birth(age)
        p = DemoPerson(self.resident_id(birth, sex), self.name(sex, surname), sex, birth, relation)
        r = self.rng.random
        disabled_p = 0.06 + (0.12 if age >= 60 else 0.0)
        if r() < disabled_p:
            p.disability_kind = self.choice(DISABILITY_KINDS, p=[0.45, 0.13, 0.12, 0.03, 0.1, 0.12, 0.05])
            p.disability_grade = int(self.choice([1, 2, 3, 4], p=[0.12, 0.23, 0.3, 0.35]))
        p.major_illness = r() < (0.03 + (0.06 if age >= 55 else 0.0))
        p.fulltime_education = 6 <= age <= 22 and r() < (0.97 if age <= 18 else 0.45)
        frail = age >= 75 or (p.disability_grade or 5) <= 2 or p.major_illness
        if frail and r() < 0.5:
            p.self_care_failed = sorted(
                self.rng.choice(ACTIVITIES, int(self.rng.integers(1, 7)), replace=False).tolist(),
                key=ACTIVITIES.index,
            )
        if age < 16 or age >= 70 or (p.disability_grade or 5) <= 2 or len(p.self_care_failed) >= 4:
            p.labour_capacity = "none"
        elif age >= 60 or p.disability_grade or p.major_illness:
            p.labour_capacity = "partial"
        if age >= 18 and r() < 0.75:
            p.phone = (
                "1" + self.choice(["3", "5", "8", "9"]) + "".join(str(d) for d in self.rng.integers(0, 10, 9))
            )
        if age >= 16 and r() < 0.6:
            p.bank_account = "6217" + "".join(str(d) for d in self.rng.integers(0, 10, 15))
        p.income = self.income(p, age)
        return p

    def income(self, p: DemoPerson, age: int) -> dict[str, Decimal]:
        r, n = self.rng.random, self.rng.normal
        wage = business = transfer = excluded = 0.0
        if p.labour_capacity == "full" and not p.fulltime_education:
            if r() < 0.65:
                wage = n(21000, 9000)  # casual and migrant work
            business = n(6000, 3500) if r() < 0.6 else 0.0  # farming, net of costs
        elif p.labour_capacity == "partial" and r() < 0.5:
            business = n(2500, 1500)
        if age >= 60:
            transfer = n(2400, 600)  # resident pension (part above the central basic pension)
            excluded = 1788.0  # central basic pension of the resident scheme: not counted
        if p.disability_grade and p.disability_grade <= 2:
            excluded += 1200.0  # disability allowances: government assistance, not counted
        return {
            "wage": _yuan(wage),
            "business": _yuan(business),
            "property": Decimal(0),
            "transfer": _yuan(transfer),
            "excluded": _yuan(excluded),
        }

    def household(self, village: VillageSpec, house_no: int) -> DemoHousehold:
        r = self.rng.random
        size = int(self.choice([1, 2, 3, 4, 5, 6], p=[0.22, 0.32, 0.2, 0.15, 0.08, 0.03]))
        head_age = int(np.clip(self.rng.normal(58, 14), 22, 95))
        head_sex = "M" if r() < 0.72 else "F"
        head = self.person("head", head_age, head_sex)
        surname = head.name[0]
        members = [head]
        if size >= 2 and head_age < 90 and r() < 0.8:
            members.append(
                self.person(
                    "spouse", head_age + int(self.rng.integers(-6, 4)), "F" if head_sex == "M" else "M"
                )
            )
        while len(members) < size:
            roll = r()
            if roll < 0.7 and head_age >= 24:
                child_age = max(0, head_age - int(self.rng.integers(22, 36)))
                members.append(self.person("child", child_age, self.choice(["M", "F"]), surname))
            elif roll < 0.85 and head_age <= 65:
                members.append(
                    self.person(
                        "parent", head_age + int(self.rng.integers(22, 32)), self.choice(["M", "F"]), surname
                    )
                )
            else:
                members.append(
                    self.person("grandchild", int(self.rng.integers(0, 14)), self.choice(["M", "F"]), surname)
                )
        for m in members[1:]:
            roll = r()
            if m.relation == "child" and 18 <= (self.today.year - m.birth_date.year) <= 45 and roll < 0.12:
                m.co_resident, m.not_counted_reason = False, "not_coresident"
            elif roll < 0.006:
                m.not_counted_reason = self.choice(["prison", "conscript", "missing"])
        rural = r() < 0.86
        ill = any(m.major_illness for m in members)
        students = sum(m.fulltime_education for m in members)
        hh = DemoHousehold(
            village_code=village.code,
            address=f"{village.name}{house_no}号",
            hukou="rural" if rural else "urban",
            alleviated=rural and r() < 0.38,
            members=members,
            financial_assets=_yuan(self.rng.lognormal(8.3, 1.2)) if r() < 0.8 else Decimal(0),
            homes=int(self.choice([0, 1, 2], p=[0.04, 0.9, 0.06])),
            rigid_medical_12m=_yuan(self.rng.lognormal(9.3, 0.8))
            if ill
            else _yuan(self.rng.lognormal(6.5, 1.0)),
            rigid_education_12m=_yuan(students * self.rng.normal(2500, 800)),
        )
        if head_age >= 55:
            # Grown children living elsewhere: legal supporters, not all of them able to support.
            outside = int(self.rng.poisson(2.2))
            hh.supporters = [{"relation": "child", "able": bool(r() < 0.75)} for _ in range(outside)]
        events = []
        if ill and r() < 0.7:
            events.append("illness")
        for event, p in (("disaster", 0.03), ("accident", 0.02), ("unemployment", 0.03)):
            if r() < p:
                events.append(event)
        if students and r() < 0.2:
            events.append("education")
        hh.risk_events = events
        if r() < 0.12:
            hh.vehicles.append({"value": str(_yuan(self.rng.lognormal(10.5, 0.6))), "exempt": r() < 0.5})
        return hh


def villages_for(county_code: str, rng: np.random.Generator) -> list[VillageSpec]:
    specs = []
    for t in county_data(county_code)["townships"]:
        count = int(rng.integers(8, 15))
        names: set[str] = set()
        while len(names) < count:
            names.add(
                VILLAGE_PREFIX[int(rng.integers(len(VILLAGE_PREFIX)))]
                + VILLAGE_STEMS[int(rng.integers(len(VILLAGE_STEMS)))]
                + "村"
            )
        # 统计用区划代码: village committees are numbered from 200 under their township.
        specs += [
            VillageSpec(f"{t['code']}{200 + i + 1:03d}", name, t["code"])
            for i, name in enumerate(sorted(names))
        ]
    return specs


def generate(
    *,
    households: int = 4000,
    seed: int = 141029,
    today: dt.date | None = None,
    county_code: str | None = None,
) -> DemoCounty:
    """A synthetic county register; `county_code` defaults to the configured county."""
    county_code = county_code or configured_county()
    gen = _Gen(seed, today or dt.date(2026, 6, 1), county_code)
    villages = villages_for(county_code, gen.rng)
    numbers: dict[str, int] = {}
    out = []
    for _ in range(households):
        v = villages[int(gen.rng.integers(len(villages)))]
        numbers[v.code] = numbers.get(v.code, 0) + 1
        out.append(gen.household(v, numbers[v.code]))
    return DemoCounty(villages, out)
