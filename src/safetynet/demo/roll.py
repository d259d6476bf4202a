"""The demo county after admission: the existing roll migrated into the entitlement timeline with
a year of history, 特困 support modes, visits, assistance suggestions and temporary relief — all
through the real services, reproducible from the seed, so every page after admission (roster,
statistics, payroll, visits, plans, relief, dashboard) has something true to show.

- Roll: every household whose stored assessment finds it entitled or marked gets a row
  (存量建档迁移) from the first day of the month eleven months ago; about one in ten instead came
  in later (认定, a month in between) and about one in twenty-five 低保/边缘 households was stopped
  during the year (停发). Amounts are the assessment's.
- 特困 members: about a quarter in a care institution (集中供养), the rest at home.
- Visits: about two in three households on the roll were visited in the last fifty days, by the
  township's village officer in their village and by the township window elsewhere.
- Assistance: the suggestions of the rules for every township (left for the township to accept).
- Relief: each township's reserve fund allocated by county civil affairs; in each township one
  急难型 application paid first from the fund (paperwork pending) and one 支出型 approved to be paid
  by transfer in the next payroll.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from safetynet.accounts.models import User
from safetynet.accounts.roles import Role
from safetynet.assessments.models import Assessment
from safetynet.assistance.batch import suggest_for_area
from safetynet.audit.services import SYSTEM
from safetynet.core import clock
from safetynet.entitlements import services as ent
from safetynet.entitlements.models import Entitlement, SupportMode
from safetynet.entitlements.schedule import add_months
from safetynet.registry.models import Membership
from safetynet.relief import services as relief
from safetynet.visits.models import CHECKLIST
from safetynet.visits.services import record_visit

ON_ROLL = ("tekun", "dibao", "dibao_edge", "rigid_hardship")
RESERVE = Decimal("20000.00")


def _latest_assessments():
    latest = {}
    for a in Assessment.objects.order_by("household_id", "-id").only(
        "household_id", "category", "monitoring_type", "benefit_monthly"
    ):
        latest.setdefault(a.household_id, a)
    return [a for a in latest.values() if a.category in ON_ROLL or a.monitoring_type]


def _terms(a: Assessment, counted: list[int], rng: random.Random) -> ent.Terms:
    members = ()
    if a.category == "tekun":
        mode = SupportMode.CENTRALISED if rng.random() < 0.25 else SupportMode.DISPERSED
        members = tuple(ent.MemberPart(pid, "tekun", support_mode=mode) for pid in counted)
    return ent.Terms(
        category=a.category if a.category in ON_ROLL else "none",
        monitoring_marked=bool(a.monitoring_type),
        monitoring_type=a.monitoring_type or "",
        benefit_monthly=a.benefit_monthly,
        members=members,
    )


def migrate_roll(today: dt.date, rng: random.Random) -> dict:
    start = add_months(today.replace(day=1), -11)
    counted: dict[int, list[int]] = {}
    for hid, pid in Membership.objects.filter(left_on__isnull=True, counted=True).values_list(
        "household_id", "person_id"
    ):
        counted.setdefault(hid, []).append(pid)
    opened = stopped = 0
    for a in _latest_assessments():
        later = rng.random() < 0.10
        valid_from = add_months(start, rng.randint(1, 10)) if later else start
        ent.open_row(
            household=a.household_id,
            valid_from=valid_from,
            terms=_terms(a, counted.get(a.household_id, []), rng),
            basis="admission" if later else "migrated",
            decided_on=valid_from,
            actor=SYSTEM,
            reason="" if later else "存量救助对象建档迁移（演示）",
        )
        opened += 1
        if a.category in ("dibao", "dibao_edge") and not later and rng.random() < 0.04:
            ent.close_current(
                household=a.household_id,
                on=add_months(start, rng.randint(2, 10)),
                basis="stop",
                actor=SYSTEM,
                reason="家庭收入超过标准，停发（演示）",
            )
            stopped += 1
    return {"rows": opened, "stopped": stopped}


def _visitors() -> dict[str, tuple[User, User | None]]:
    """{township code: (its window clerk, its village officer or None)}."""
    out = {}
    for clerk in User.objects.filter(role=Role.TOWNSHIP_CLERK).select_related("area"):
        officer = User.objects.filter(
            role=Role.VILLAGE_OFFICER, area__code__startswith=clerk.area.code
        ).first()
        out[clerk.area.code] = (clerk, officer)
    return out


def record_visits(today: dt.date, rng: random.Random) -> int:
    visitors = _visitors()
    rows = Entitlement.objects.filter(valid_until__isnull=True).select_related("household__village")
    done = 0
    for row in rows.order_by("household_id"):
        if rng.random() >= 0.66:
            continue
        village = row.household.village.code
        clerk, officer = visitors[village[:9]]
        user = officer if officer is not None and officer.area.code == village else clerk
        checklist = dict.fromkeys(CHECKLIST, "ok")
        record_visit(
            user=user,
            household=row.household,
            visited_on=today - dt.timedelta(days=rng.randint(1, 50)),
            seen=[row.household.head_id],
            checklist=checklist,
            notes="例行探访，家中情况稳定（演示）",
        )
        done += 1
    return done


def suggest_measures(county: str) -> int:
    admin = User.objects.get(username="county_mz")
    return suggest_for_area(user=admin, area_code=county)["measures"]


def temporary_relief(today: dt.date, rng: random.Random) -> int:
    county_user = User.objects.get(username="county_mz")
    made = 0
    for clerk, _ in _visitors().values():
        township = clerk.area.code
        relief.allocate_reserve(
            user=county_user, township=township, amount=RESERVE, note="年初拨付备用金（演示）"
        )
        on_roll = list(
            Entitlement.objects.filter(
                valid_until__isnull=True, household__village__code__startswith=township
            ).values_list("household_id", flat=True)[:50]
        )
        if len(on_roll) < 2:
            continue
        first, second = rng.sample(on_roll, 2)
        cap = relief.relief_limits(township, "emergency", today)["max"]
        app = relief.apply_relief(
            user=clerk,
            household_id=first,
            kind="emergency",
            reason="住房失火，生活用品损毁（演示）",
            amount_asked=cap,
        )
        relief.pay_relief_first(user=clerk, application=app, amount=min(cap, Decimal("1000.00")))
        limits = relief.relief_limits(township, "expenditure", today)
        amount = min(limits["max"], limits["township_limit"], Decimal("800.00"))
        app = relief.apply_relief(
            user=clerk,
            household_id=second,
            kind="expenditure",
            reason="子女大学学费支出大（演示）",
            amount_asked=amount,
        )
        relief.decide_relief(user=clerk, application=app, approve=True, amount=amount, pay_method="transfer")
        made += 2
    return made


def after_admission(*, county: str, seed: int) -> dict:
    """Everything above, in order, in one transaction (all or nothing, and one commit); the
    summary of what was made."""
    rng = random.Random(seed)
    today = clock.today()
    with transaction.atomic():
        summary = migrate_roll(today, rng)
        summary["visits"] = record_visits(today, rng)
        summary["measures"] = suggest_measures(county)
        summary["relief"] = temporary_relief(today, rng)
    return summary
