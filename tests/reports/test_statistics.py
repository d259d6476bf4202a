"""统计月报: the roll at the month's end by category and 户籍, 特困 by care tier, 单人保 people, the
money paid for the month; the county is the sum of its townships; a month past its cutoff is
stored once and reads the same ever after; bad input refused (docs/statistics.md)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from safetynet.accounts.roles import Role
from safetynet.entitlements import services as ent
from safetynet.payments import bank
from safetynet.payments import services as pay
from safetynet.payments.models import PayrollLine
from safetynet.reports import statistics
from safetynet.reports.models import ProvisionalStatistics, StatisticsSnapshot
from tests.api.conftest import ApiClient
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A, VILLAGE_C, member
from tests.payments.conftest import Chain, D, open_row
from tests.payments.test_bank import result_file
from tests.reports.conftest import stop, terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(make_user):
    return Chain(make_user)


@pytest.fixture
def client_for():
    def make(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return make


def cell(figures, category, hukou="rural") -> dict:
    return next(c for c in figures["cells"] if c["category"] == category and c["hukou"] == hukou)


@pytest.fixture
def roll(make_household, chain, today):
    """昌宁: two rural 低保 households (2 and 1 people, 600 and 455.50), one urban 低保 (300), a 特困
    person (partial care, 1500); 光华: one rural 低保 (500)."""
    a = make_household(VILLAGE_A, members=[member("head", name="王大山"), member("spouse", name="李秀英")])
    b = make_household(VILLAGE_A, members=[member("head", name="张三")])
    u = make_household(VILLAGE_A, hukou="urban", members=[member("head", name="赵城")])
    t = make_household(VILLAGE_A, members=[member("head", name="孤老")])
    g = make_household(VILLAGE_C, members=[member("head", name="刘一")])
    open_row(a, D(2026, 1, 1), terms("dibao", "600"))
    open_row(b, D(2026, 2, 1), terms("dibao", "455.50"))
    open_row(u, D(2026, 2, 1), terms("dibao", "300"))
    person = t.memberships.get().person
    open_row(
        t,
        D(2026, 1, 1),
        terms(
            "tekun",
            "1500",
            members=[
                ent.MemberPart(
                    person_id=person.pk,
                    category="tekun",
                    care_tier="partial",
                    benefit_monthly=Decimal("1500"),
                )
            ],
        ),
    )
    open_row(g, D(2026, 1, 1), terms("dibao", "500"))
    for h in (a, b, u, t, g):
        chain.account(h.head)
    return {"a": a, "b": b, "u": u, "t": t, "g": g}


def test_a_townships_month_by_category_and_hukou(roll, make_user):
    county = make_user(Role.COUNTY_CIVIL, "141029")
    stats = statistics.read(county, "2026-05", CHANGNING)
    (f,) = stats["townships"]
    assert stats["provisional"] is True  # the cutoff (end of June) is still ahead
    assert {k: cell(f, "dibao")[k] for k in ("households", "people", "amount_due")} == {
        "households": 2,
        "people": 3,
        "amount_due": "1055.50",
    }
    assert (cell(f, "dibao", "urban")["households"], cell(f, "dibao", "urban")["amount_due"]) == (1, "300.00")
    assert cell(f, "tekun")["amount_due"] == "1500.00" and f["tekun_care"]["partial"] == 1
    # January: only the rows in force at the end of January.
    jan = statistics.read(county, "2026-01", CHANGNING)["townships"][0]
    assert cell(jan, "dibao")["households"] == 1 and cell(jan, "dibao", "urban")["households"] == 0


def test_tekun_people_by_support_mode_as_recorded_at_the_months_end(roll, make_user):
    from safetynet.audit.services import SYSTEM  # noqa: PLC0415

    t = roll["t"]
    ent.set_support_mode(
        household=t,
        person_id=t.head_id,
        mode="centralised",
        on=D(2026, 3, 1),
        actor=SYSTEM,
        reason="入住敬老院",
    )
    county = make_user(Role.COUNTY_CIVIL, "141029")
    may = statistics.read(county, "2026-05", CHANGNING)
    assert may["townships"][0]["tekun_support"] == {"centralised": 1, "dispersed": 0, "unrecorded": 0}
    assert may["total"]["tekun_support"]["centralised"] == 1
    feb = statistics.read(county, "2026-02", CHANGNING)["townships"][0]
    assert feb["tekun_support"] == {"centralised": 0, "dispersed": 0, "unrecorded": 1}
    assert cell(may["townships"][0], "tekun")["people"] == 1  # a new row, the same one person


def test_the_county_is_the_sum_of_its_townships(roll, make_user):
    stats = statistics.read(make_user(Role.COUNTY_CIVIL, "141029"), "2026-05")
    assert len(stats["townships"]) > 1
    assert cell(stats["total"], "dibao")["households"] == 3
    assert cell(stats["total"], "dibao")["amount_due"] == "1555.50"


def test_the_money_paid_counts_only_lines_the_bank_confirmed(roll, chain, make_user):
    p = chain.approve(D(2026, 5, 1))
    pay.release_payroll(user=chain.county, payroll=p)
    lines = list(PayrollLine.objects.filter(payroll=p).order_by("id").values_list("id", "amount"))
    first, *rest = lines
    rows = [(first[0], first[1], False, "账户已销户")] + [(i, a, True, "") for i, a in rest]
    bank.import_bank_result(user=chain.county, payroll=p, data=result_file(rows))
    f = statistics.read(make_user(Role.FINANCE, "141029"), "2026-05", CHANGNING)["townships"][0]
    paid = sum(Decimal(c["amount_paid"]) for c in f["cells"])
    assert paid == sum(a for _, a in rest) and paid < sum(a for _, a in lines)
    assert sum(c["paid_households"] for c in f["cells"]) == len(rest)


def test_a_closed_month_is_stored_once_and_reads_the_same_after_a_late_change(roll, make_user):
    county = make_user(Role.COUNTY_CIVIL, "141029")
    assert statistics.freeze_closed_months() >= 1  # 2026-04 (its cutoff, 2026-06-01, is today)
    assert StatisticsSnapshot.objects.filter(month=D(2026, 4, 1)).exists()
    first = statistics.read(county, "2026-03", CHANGNING)
    stored = StatisticsSnapshot.objects.filter(month=D(2026, 3, 1))
    assert first["provisional"] is False and stored.count() == 1
    stop(roll["b"], D(2026, 3, 1), reason="死亡（迟报）")  # a late change back into March
    again = statistics.read(county, "2026-03", CHANGNING)
    assert again["townships"] == first["townships"] and stored.count() == 1
    assert cell(again["townships"][0], "dibao")["households"] == 2
    # The live figures of an open month do see it.
    assert cell(statistics.read(county, "2026-05", CHANGNING)["townships"][0], "dibao")["households"] == 1


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"month": "2026-07"}, 400, "month"),  # the future (today is 2026-06-01)
    ({"month": "2026-13"}, 400, "month"),
    ({"month": "May"}, 400, "month"),
    ({"month": "2026-05", "township": GUANGHUA}, 404, "township"),  # outside a 昌宁 clerk's area
])  # fmt: skip
def test_bad_input_through_the_api(roll, make_user, params, status, field):
    r = ApiClient(make_user(Role.TOWNSHIP_CLERK, CHANGNING)).get("/statistics", params)
    assert (r.status_code, r.json()["field"]) == (status, field)


def test_roles_and_the_api_answer(roll, make_user):
    assert ApiClient(make_user(Role.DEPT_LIAISON)).get("/statistics", {"month": "2026-05"}).status_code == 403
    assert (
        ApiClient(make_user(Role.VILLAGE_OFFICER, VILLAGE_A))
        .get("/statistics", {"month": "2026-05"})
        .status_code
        == 403
    )
    body = (
        ApiClient(make_user(Role.TOWNSHIP_CLERK, CHANGNING)).get("/statistics", {"month": "2026-05"}).json()
    )
    assert [t["township"]["code"] for t in body["townships"]] == [CHANGNING]
    r = ApiClient(make_user(Role.FINANCE, "141029")).get("/statistics/export.xlsx", {"month": "2026-05"})
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "范围" and any(r[0] == "乡宁县合计" for r in rows if r[0])


def test_the_page_shows_the_figures_and_refuses_a_future_month(roll, make_user, client_for):
    c = client_for(make_user(Role.COUNTY_CIVIL, "141029"))
    html = c.get(reverse("reports:statistics"), {"month": "2026-05"}).content.decode()
    assert "临时数据" in html and "1055.50" in html and "合计" in html
    r = c.get(reverse("reports:statistics"), {"month": "2027-01"})
    assert r.status_code == 400 and 'id="err-month"' in r.content.decode()
    assert (
        c.get(reverse("reports:statistics"), {"month": "2026-05", "township": "141029999"}).status_code == 404
    )
    x = c.get(reverse("reports:statistics_export"), {"month": "2026-05"})
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxml")


# The provisional statistics of a month still open: a summary recomputed by the job and read with
# its time, so a page of the whole county costs a few queries however many rows (docs/scale.md).


def test_a_reading_stores_the_summary_and_the_next_reads_it_with_its_time(roll, make_user):
    county = make_user(Role.COUNTY_CIVIL, "141029")
    first = statistics.read(county, "2026-05", CHANGNING)
    stored = ProvisionalStatistics.objects.get(township__code=CHANGNING, month=dt.date(2026, 5, 1))
    assert first["provisional"] is True and first["as_of"] == stored.computed_at
    stop(roll["b"], dt.date(2026, 5, 1), reason="死亡")
    again = statistics.read(county, "2026-05", CHANGNING)
    assert (
        again["townships"] == first["townships"] and again["as_of"] == first["as_of"]
    )  # the summary, labelled
    statistics.refresh_provisional()  # the job
    after = statistics.read(county, "2026-05", CHANGNING)
    assert (
        cell(after["townships"][0], "dibao")["households"]
        == cell(first["townships"][0], "dibao")["households"] - 1
    )
    assert after["as_of"] > first["as_of"]


def test_a_summary_older_than_twice_the_refresh_interval_is_recomputed_on_reading(roll, make_user, settings):
    county = make_user(Role.COUNTY_CIVIL, "141029")
    first = statistics.read(county, "2026-05", CHANGNING)
    stop(roll["b"], dt.date(2026, 5, 1), reason="死亡")
    old = timezone.now() - dt.timedelta(minutes=2 * settings.SAFETYNET_STATISTICS_REFRESH_MINUTES + 1)
    ProvisionalStatistics.objects.update(computed_at=old)  # the job has stopped
    again = statistics.read(county, "2026-05", CHANGNING)
    assert (
        cell(again["townships"][0], "dibao")["households"]
        == cell(first["townships"][0], "dibao")["households"] - 1
    )


def test_the_county_page_reads_every_township_in_the_same_few_queries(roll, make_user):
    county = make_user(Role.COUNTY_CIVIL, "141029")
    statistics.refresh_provisional()
    with CaptureQueriesContext(connection) as computed:
        ProvisionalStatistics.objects.all().delete()
        statistics.read(county, "2026-05")
    with CaptureQueriesContext(connection) as stored:
        stats = statistics.read(county, "2026-05")
    assert len(stats["townships"]) == 10
    # computed: the aggregates of the statistics (roll, people, care, support mode, paid) and of
    # the monitored summary (stock, people, exits), grouped by township — never one per township
    assert len(stored) <= 3 and len(computed) <= 14


def test_stored_figures_list_the_care_tiers_and_support_modes_in_their_own_order(roll, make_user):
    """PostgreSQL's jsonb gives a stored object's keys back in an order of its own; the page and the
    export list them as computed, whatever order the stored figures come back in."""
    county = make_user(Role.COUNTY_CIVIL, "141029")
    computed = statistics.read(county, "2026-05", CHANGNING)["townships"][0]
    assert list(computed["tekun_care"]) == list(statistics.CARE_TIERS)
    stored = ProvisionalStatistics.objects.get(township__code=CHANGNING, month=dt.date(2026, 5, 1))
    figures = stored.figures
    figures["tekun_care"] = dict(reversed(figures["tekun_care"].items()))
    figures["tekun_support"] = dict(reversed(figures["tekun_support"].items()))
    ProvisionalStatistics.objects.filter(pk=stored.pk).update(figures=figures)
    again = statistics.read(county, "2026-05", CHANGNING)["townships"][0]
    assert list(again["tekun_care"]) == list(statistics.CARE_TIERS)
    assert list(again["tekun_support"]) == list(statistics.SUPPORT_MODES)
    assert again["tekun_care"] == computed["tekun_care"]
