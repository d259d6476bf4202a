"""Writing the generated demo county and its accounts into the database, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from safetynet.accounts.models import User
from safetynet.accounts.roles import ROLE_LABELS, Role
from safetynet.audit.services import SYSTEM, record_audit
from safetynet.core.areas import configured_county
from safetynet.demo.generate import DemoCounty
from safetynet.registry.areas import load_county, load_villages
from safetynet.registry.fields import blind_index
from safetynet.registry.inputs import name_initials
from safetynet.registry.models import Area, Household, Membership, Person

DEMO_PASSWORD = "safetynet-demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    area_code: str
    display_name: str


def demo_accounts(county_code: str | None = None) -> list[DemoAccount]:
    county_code = county_code or configured_county()
    county = Area.objects.get(code=county_code)
    fixed = [
        ("admin", Role.ADMIN, "系统管理员"),
        ("county_mz", Role.COUNTY_CIVIL, "县民政局 张科长"),
        ("county_nync", Role.COUNTY_AGRI, "县农业农村局 李科长"),
        ("leading_office", Role.LEADING_OFFICE, "领导小组办公室 王主任"),
        ("auditor", Role.AUDITOR, "县纪委监委 审计员"),
        ("county_cz", Role.FINANCE, "县财政局 社保科"),
        ("dept_yibao", Role.DEPT_LIAISON, "县医保局 数据联络员"),
    ]
    accounts = [DemoAccount(u, r, county.code, n) for u, r, n in fixed]
    for t in county.children.order_by("code"):
        accounts += [
            DemoAccount(f"town_{t.pinyin}", Role.TOWNSHIP_CLERK, t.code, f"{t.name}便民服务中心窗口"),
            DemoAccount(f"review_{t.pinyin}", Role.REVIEW_MEMBER, t.code, f"{t.name}审核确认小组成员"),
            DemoAccount(f"leader_{t.pinyin}", Role.REVIEW_LEADER, t.code, f"{t.name}审核确认小组组长"),
        ]
        first = t.children.order_by("code").first()
        if first:
            accounts.append(
                DemoAccount(
                    f"village_{t.pinyin}_1", Role.VILLAGE_OFFICER, first.code, f"{first.name}救助帮扶专干"
                )
            )
    return accounts


def _create_accounts(county_code: str) -> list[DemoAccount]:
    accounts = demo_accounts(county_code)
    hashed = make_password(DEMO_PASSWORD)  # one hash for all: PBKDF2 per account would take seconds each
    areas = {a.code: a for a in Area.objects.all()}
    User.objects.bulk_create(
        [
            User(
                username=a.username,
                role=a.role.value,
                area=areas[a.area_code],
                display_name=a.display_name,
                password=hashed,
                is_staff=a.role == Role.ADMIN,
            )
            for a in accounts
        ]
    )
    return accounts


# The demo liaisons and the department sources they upload (without one, their upload page is a 404).
DEMO_LIAISON_SOURCES = {"dept_yibao": "medical"}


def _assign_liaison_sources() -> None:
    from safetynet.verification.services import assign_liaison_source

    for username, source in DEMO_LIAISON_SOURCES.items():
        assign_liaison_source(actor=SYSTEM, user=User.objects.get(username=username), source=source)


def person_fields(m, initials=name_initials) -> dict:
    """A generated member's Person fields (the ID number with its blind index, the name's
    initials by `initials`: the province passes a cached one)."""
    return dict(
        id_number=m.id_number,
        id_index=blind_index(m.id_number),
        name=m.name,
        name_initials=initials(m.name),
        sex=m.sex,
        birth_date=m.birth_date,
        disability_kind=m.disability_kind,
        disability_grade=m.disability_grade,
        major_illness=m.major_illness,
        fulltime_education=m.fulltime_education,
        self_care_failed=m.self_care_failed,
        labour_capacity=m.labour_capacity,
        phone=m.phone,
        bank_account=m.bank_account,
        income_wage_12m=m.income["wage"],
        income_business_12m=m.income["business"],
        income_property_12m=m.income["property"],
        income_transfer_12m=m.income["transfer"],
        income_excluded_12m=m.income["excluded"],
    )


def load_demo(county: DemoCounty, *, county_code: str | None = None) -> dict:
    county_code = county_code or configured_county()
    load_county(county_code)
    load_villages(county.villages)
    villages = {a.code: a for a in Area.objects.filter(level=Area.Level.VILLAGE)}
    today = timezone.localdate()
    registered = today.replace(year=today.year - 2, day=1)  # the families were on the register before

    households = Household.objects.bulk_create(
        [
            Household(
                village=villages[h.village_code],
                address=h.address,
                hukou=h.hukou,
                alleviated=h.alleviated,
                financial_assets=h.financial_assets,
                vehicles=h.vehicles,
                homes=h.homes,
                rigid_medical_12m=h.rigid_medical_12m,
                rigid_education_12m=h.rigid_education_12m,
                supporters=h.supporters,
                risk_events=h.risk_events,
            )
            for h in county.households
        ],
        batch_size=1000,
    )
    people = []
    for h in county.households:
        for m in h.members:
            people.append(Person(**person_fields(m)))
    persons = Person.objects.bulk_create(people, batch_size=1000)
    memberships, i = [], 0
    for hh, h in zip(households, county.households):
        for m in h.members:
            p = persons[i]
            i += 1
            memberships.append(
                Membership(
                    household=hh,
                    village_id=hh.village_id,
                    person=p,
                    name_initials=p.name_initials,
                    relation=m.relation,
                    co_resident=m.co_resident,
                    not_counted_reason=m.not_counted_reason,
                    counted=not m.not_counted_reason,
                    joined_on=registered,
                )
            )
            if m.relation == "head":
                hh.head = p
    Membership.objects.bulk_create(memberships, batch_size=1000)
    Household.objects.bulk_update(households, ["head"], batch_size=1000)
    accounts = _create_accounts(county_code)
    _assign_liaison_sources()
    summary = {
        "villages": len(county.villages),
        "households": len(households),
        "persons": len(persons),
        "accounts": len(accounts),
    }
    record_audit(
        actor=SYSTEM,
        action="demo.load",
        object_type="county",
        object_id=county_code,
        changes=summary,
        reason="演示数据（虚构）",
    )
    return summary


def account_table(county_code: str | None = None) -> list[tuple[str, str, str]]:
    return [(a.username, ROLE_LABELS[a.role], a.display_name) for a in demo_accounts(county_code)]


def load_exchange_samples(stdout, population: int | None = None) -> None:
    """Department sample files for the whole county population (~207,000 residents), consistent
    with the register, uploaded as the departments would; then the register-wide comparison."""
    from django.conf import settings
    from django.core.management import call_command

    out = settings.DATA_DIR / "exchange" / "samples"
    extra = ["--population", str(population)] if population else []
    call_command("exchange", "samples", "--out", str(out), "--load", *extra, stdout=stdout)
    call_command("compare", stdout=stdout)
