"""Sample department files for the whole county (about 207,000 residents), consistent with the
register: everyone in the register appears with their real (synthetic) resident ID, the other
residents are invented; most recorded facts agree with what households declared, and a small,
seeded share does not (an undeclared car, savings above the limit, a death), so the comparison
has something true to find. Reproducible from the seed. Files are CSV (UTF-8; 户籍 in GBK, as
public-security extracts often are).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from safetynet.core.areas import configured_county
from safetynet.core.resident_id import make_resident_id

POPULATION = 206_892  # 乡宁县, 2020 census


def _register_people():
    from safetynet.registry.models import Membership

    rows = []
    for m in Membership.objects.filter(left_on__isnull=True).select_related("person", "household__village"):
        p, h = m.person, m.household
        rows.append(
            {
                "id": p.id_number,
                "name": p.name,
                "birth": p.birth_date,
                "village": h.village.code,
                "head": h.head_id == p.pk,
                "wage": p.income_wage_12m,
                "pension": p.income_transfer_12m,
                "financial": h.financial_assets if h.head_id == p.pk else Decimal(0),
                "vehicles": h.vehicles if h.head_id == p.pk else [],
                "disability": (p.disability_kind, p.disability_grade),
                "student": p.fulltime_education,
            }
        )
    return rows


def generate_samples(
    out: Path, *, population: int = POPULATION, seed: int = 20260501, as_of: dt.date | None = None
) -> dict:
    """Write one CSV per source into `out`; return {source: (path, rows)}."""
    from safetynet.registry.models import Area

    as_of = as_of or dt.date.today().replace(day=1)
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    people = _register_people()
    county = configured_county()
    villages = list(Area.objects.filter(level=Area.Level.VILLAGE).values_list("code", flat=True)) or [
        f"{county}100201"
    ]
    used = {p["id"] for p in people}
    names = list("王李张刘杨赵郭贾郝史薛冯吴陈韩梁高段孙马")
    given = list("建国军明伟强勇志华平文斌秀英兰芳红梅丽霞玲娟")
    extra = max(0, population - len(people))
    ages = rng.integers(0, 90, extra)
    for i in range(extra):
        birth = as_of - dt.timedelta(days=int(ages[i]) * 365 + int(rng.integers(1, 365)))
        while True:
            rid = make_resident_id(county, birth, int(rng.integers(0, 1000)))
            if rid not in used:
                break
            birth -= dt.timedelta(days=1)  # never into the future
        used.add(rid)
        people.append(
            {
                "id": rid,
                "name": names[i % len(names)] + given[(i * 7) % len(given)],
                "birth": birth,
                "village": villages[int(rng.integers(0, len(villages)))],
                "head": bool(rng.random() < 0.35),
                "wage": Decimal(int(rng.gamma(2.0, 12000)))
                if 18 <= ages[i] < 60 and rng.random() < 0.5
                else Decimal(0),
                "pension": Decimal(max(0, int(rng.normal(14000, 4000))))
                if ages[i] >= 60 and rng.random() < 0.6
                else Decimal(0),
                "financial": Decimal(int(rng.gamma(1.2, 20000))) if rng.random() < 0.8 else Decimal(0),
                "vehicles": [{"value": str(int(rng.gamma(3, 25000)))}] if rng.random() < 0.2 else [],
                "disability": ("physical", int(rng.integers(1, 5))) if rng.random() < 0.06 else ("", None),
                "student": 6 <= ages[i] <= 18,
            }
        )
    n = len(people)
    d = as_of.isoformat()
    cols: dict[str, dict[str, list]] = {}

    def add(source, **values):
        t = cols.setdefault(source, {k: [] for k in values})
        for k, v in values.items():
            t[k].append(v)

    for i, p in enumerate(people):
        age = (as_of - p["birth"]).days // 365
        r = rng.random(12)
        dead = r[0] < 0.004
        add(
            "hukou",
            id_number=p["id"],
            name=p["name"],
            status="deceased" if dead else "normal",
            death_date=(as_of - dt.timedelta(days=int(20 + r[1] * 300))).isoformat() if dead else "",
            village_code=p["village"],
            as_of=d,
        )
        if p["wage"] or p["pension"] or (18 <= age < 60 and r[2] < 0.3):
            wage = p["wage"] * (
                Decimal(4) if r[3] < 0.01 else Decimal(1)
            )  # a few earn far more than declared
            add(
                "social_insurance",
                id_number=p["id"],
                name=p["name"],
                wage_12m=str(wage),
                pension_12m=str(p["pension"]),
                contribution_12m="",
                as_of=d,
            )
        if p["head"]:
            add(
                "real_estate",
                id_number=p["id"],
                name=p["name"],
                unit_no=f"{county}{i:012d}",
                use="residential",
                area_m2="96.00",
                registered_on="2008-06-01",
                as_of=d,
            )
            if r[4] < 0.01:
                add(
                    "real_estate",
                    id_number=p["id"],
                    name=p["name"],
                    unit_no=f"{county}{i:012d}B",
                    use="residential",
                    area_m2="88.00",
                    registered_on=(as_of - dt.timedelta(days=200)).isoformat(),
                    as_of=d,
                )
        if 20 <= age < 65 and r[5] < 0.04:
            add(
                "business",
                id_number=p["id"],
                name=p["name"],
                credit_code=f"91{county}MA{i:08d}",
                entity_name=f"乡宁县{p['name']}商贸有限公司" if r[6] < 0.3 else f"{p['name']}农产品经营部",
                entity_kind="company" if r[6] < 0.3 else "individual",
                role="legal_rep" if r[6] < 0.3 else "owner",
                share_pct="100" if r[6] < 0.3 else "",
                registered_capital="100000",
                as_of=d,
            )
        for k, v in enumerate(p["vehicles"]):
            add(
                "vehicle",
                id_number=p["id"],
                name=p["name"],
                plate=f"晋L{i:05d}{k}",
                kind="car",
                value=str(Decimal(str(v.get("value") or 0))),
                registered_on="2019-03-01",
                as_of=d,
            )
        if p["head"] and not p["vehicles"] and 20 <= age < 70 and r[7] < 0.02:
            add(
                "vehicle",
                id_number=p["id"],
                name=p["name"],
                plate=f"晋L{i:05d}X",
                kind="car",
                value="86000.00",
                registered_on="2024-09-01",
                as_of=d,
            )
        if p["financial"]:
            bal = p["financial"] * (Decimal(6) if r[8] < 0.01 else Decimal(1))
            add(
                "financial",
                id_number=p["id"],
                name=p["name"],
                institution="乡宁农商银行",
                kind="deposit",
                balance=str(bal),
                as_of=d,
            )
        if r[9] < 0.3:
            paid = int(rng.gamma(1.1, 2500)) if r[10] > 0.01 else int(25000 + rng.random() * 40000)
            add(
                "medical",
                id_number=p["id"],
                name=p["name"],
                total_cost_12m=str(paid * 3),
                self_paid_12m=str(paid),
                as_of=d,
            )
        kind, grade = p["disability"]
        if kind and grade:
            certified = (as_of - dt.timedelta(days=int(100 + rng.random() * 3000))).isoformat()
            add(
                "disability",
                id_number=p["id"],
                name=p["name"],
                kind=kind,
                grade=str(grade),
                certified_on=certified,
                as_of=d,
            )
        if p["student"] or 6 <= age <= 18:
            stage = "primary" if age <= 12 else "junior" if age <= 15 else "senior"
            add(
                "education",
                id_number=p["id"],
                name=p["name"],
                school=f"乡宁县第{1 + i % 9}{'小学' if stage == 'primary' else '中学'}",
                stage=stage,
                status="dropped_out" if r[11] < 0.003 else "enrolled",
                cost_12m=str(800 if stage != "senior" else 3500),
                as_of=d,
            )
        if p["head"]:
            g = rng.random()
            add(
                "housing",
                id_number=p["id"],
                name=p["name"],
                grade="D" if g < 0.002 else "C" if g < 0.008 else "B" if g < 0.3 else "A",
                assessed_on="2025-06-01",
                as_of=d,
            )
            add(
                "water",
                id_number=p["id"],
                name=p["name"],
                safe="否" if g > 0.995 else "是",
                issue="水源季节性断流" if g > 0.995 else "",
                assessed_on="2025-07-01",
                as_of=d,
            )
        if r[2] < 0.003:  # disaster losses: about 600 residents of 207,000
            add(
                "emergency",
                id_number=p["id"],
                name=p["name"],
                event="flood" if r[3] < 0.5 else "hail",
                event_date=(as_of - dt.timedelta(days=int(10 + r[4] * 200))).isoformat(),
                loss=str(int(2000 + r[5] * 30000)),
                as_of=d,
            )
        if 18 <= age < 60 and r[6] > 0.995:
            add(
                "unemployment",
                id_number=p["id"],
                name=p["name"],
                status="unemployed",
                registered_on=(as_of - dt.timedelta(days=90)).isoformat(),
                benefit_monthly="",
                as_of=d,
            )
    written = {}
    for source, data in cols.items():
        path = out / f"{source}-{as_of:%Y%m}.csv"
        table = pa.table({k: pa.array(v, pa.string()) for k, v in data.items()})
        if source == "hukou":
            buf = pa.BufferOutputStream()
            pacsv.write_csv(table, buf, pacsv.WriteOptions(quoting_style="needed"))
            path.write_bytes(buf.getvalue().to_pybytes().decode("utf-8").encode("gbk"))
        else:
            pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
        written[source] = (path, table.num_rows)
    return {"residents": n, "files": written}
