"""领导小组驾驶舱: the numbers per role and scope, a past month as it was, every number's link
reproducing it, refused input, and a query count that does not grow with the register."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safetynet.accounts.roles import Role
from safetynet.accounts.services import issue_token
from safetynet.cases.models import Case, Channel, Lead
from safetynet.cases.services import dismiss_lead
from safetynet.core import clock
from safetynet.dashboard import figures, query
from safetynet.registry.models import Area, Membership
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A, VILLAGE_B, VILLAGE_C, member
from tests.reports.conftest import stop
from tests.rosters.conftest import open_row

pytestmark = pytest.mark.django_db
D = dt.date


def figures_of(user, **params):
    return figures.dashboard(user, query.parse(user, params))


def town(data, code):
    return next(t for t in data["stock"]["townships"] if t["code"] == code)


def test_the_county_sees_every_township_and_a_township_only_its_own(roster, make_household, make_user):
    # The fixture's members joined on the real date; the register's residents are counted by
    # their joining dates, so date them back, and add a household that receives nothing.
    Membership.objects.update(joined_on=D(2020, 1, 1))
    make_household(VILLAGE_B, members=[member("head", name="周九", joined_on=D(2020, 1, 1))])
    county = figures_of(make_user(Role.LEADING_OFFICE, "141029"))
    assert [t["code"] for t in county["stock"]["townships"]] == [
        a for a in sorted(t["code"] for t in county["stock"]["townships"])
    ]
    assert county["stock"]["total"]["households"] == 3
    assert county["stock"]["total"]["people"] == 4  # 王 2 people, 赵 1, 刘 1
    assert town(county, CHANGNING)["categories"]["dibao"] == {"households": 1, "people": 2}
    assert town(county, CHANGNING)["marked"] == {"households": 1, "people": 1}
    assert town(county, GUANGHUA)["categories"]["tekun"] == {"households": 1, "people": 1}
    # residents: the counted members of the register's households; coverage = people ÷ residents
    assert town(county, CHANGNING)["residents"] == 4 and town(county, CHANGNING)["coverage"] == "75.00"

    clerk = figures_of(make_user(Role.TOWNSHIP_CLERK, CHANGNING))
    assert [t["code"] for t in clerk["stock"]["townships"]] == [CHANGNING]
    assert clerk["stock"]["total"]["households"] == 2
    leader = figures_of(make_user(Role.REVIEW_LEADER, CHANGNING))
    assert leader["stock"]["total"]["households"] == 2

    one = figures_of(make_user(Role.COUNTY_CIVIL, "141029"), township=GUANGHUA, category="tekun")
    assert one["stock"]["total"]["households"] == 1
    assert (
        figures_of(make_user(Role.COUNTY_AGRI, "141029"), category="dibao")["stock"]["total"]["people"] == 2
    )


def test_a_past_month_stays_as_it_was_when_later_events_are_recorded(roster, make_household, make_user):
    office = make_user(Role.LEADING_OFFICE, "141029")
    march = figures_of(office, month="2026-03")
    assert march["day"] == "2026-03-31"
    assert march["stock"]["total"]["households"] == 3
    assert {m["month"]: m["inflow"] for m in march["flows"]}["2026-03"] == 1  # 刘一 from 1 March
    # later: a new household admitted in May, 王建国's household stopped in May
    late = make_household(VILLAGE_C, members=[member("head", name="钱七")])
    open_row(late, D(2026, 5, 10), "dibao", "500")
    stop(roster["wang"], D(2026, 5, 20))
    again = figures_of(office, month="2026-03")
    assert again["stock"] == march["stock"]
    assert again["flows"] == march["flows"]
    may = figures_of(office, month="2026-05")
    assert {m["month"]: (m["inflow"], m["outflow"]) for m in may["flows"]}["2026-05"] == (1, 1)
    assert may["stock"]["total"]["households"] == 3  # 钱 in, 王 out
    # the 王 household's change of amount on 1 May continues its row: neither an entry nor an exit
    assert {m["month"]: m["inflow"] for m in may["flows"]}["2026-01"] == 1


def test_cases_open_due_soon_and_overdue_on_a_past_day(roster, make_user):
    # A case set up directly (its procedure is tested in tests/cases): accepted 2 March, due
    # 20 March, closed 10 April.
    Case.objects.create(
        reference="T-1",
        household=roster["wang"],
        accepted_on=D(2026, 3, 2),
        deadline=D(2026, 3, 20),
        closed_on=D(2026, 4, 10),
        state="archived",
    )
    Case.objects.create(
        reference="T-2", household=roster["liu"], accepted_on=D(2026, 5, 25), deadline=D(2026, 6, 2)
    )
    office = make_user(Role.LEADING_OFFICE, "141029")
    assert figures_of(office, month="2026-03")["cases"]["total"] == {"open": 1, "due_soon": 0, "overdue": 1}
    assert figures_of(office, month="2026-04")["cases"]["total"] == {"open": 0, "due_soon": 0, "overdue": 0}
    june = figures_of(office, month="2026-06")["cases"]
    assert june["total"]["open"] >= 1 and june["total"]["due_soon"] == 1
    clerk = figures_of(make_user(Role.TOWNSHIP_CLERK, CHANGNING), month="2026-03")
    assert clerk["cases"]["total"]["open"] == 1


def _links(html: str) -> list[tuple[str, int | Decimal]]:
    """(href, the number shown): counts as int, amounts (yuan) as Decimal."""
    return [
        (href.replace("&amp;", "&"), Decimal(n) if "." in n else int(n))
        for href, n in re.findall(r'<a href="([^"]+)" class="drill">([\d.]+)</a>', html)
    ]


def test_every_linked_number_is_the_count_of_the_list_it_opens(roster, make_household, make_user, client_for):
    late = make_household(VILLAGE_A, members=[member("head", name="孙八")])
    open_row(late, D(2026, 4, 1), "dibao_edge", "0")
    stop(late, D(2026, 5, 1))
    c = client_for(make_user(Role.LEADING_OFFICE, "141029"))
    r = c.get(reverse("reports:dashboard"), {"month": "2026-05"})
    assert r.status_code == 200
    links = _links(r.content.decode())
    assert len(links) > 40
    followed = 0
    for href, n in links:
        page = c.get(href)
        assert page.status_code == 200, href
        if href.startswith(reverse("rosters:roster")):
            totals = page.context["totals"]
            assert n in (totals["households"], totals["people"]), href
        elif isinstance(n, Decimal):  # money: the sum of the lines listed
            assert page.context["amount"] == n, href
        else:
            assert page.context["page"].paginator.count == n, href
        followed += 1
    assert followed == len(links)
    assert ("/reports/dashboard/list/?kind=outflow&month=2026-05&period=2026-05", 1) in links


def test_refused_input_is_a_clear_error(roster, make_user, client_for, today):
    county = client_for(make_user(Role.COUNTY_CIVIL, "141029"))
    future = county.get(reverse("reports:dashboard"), {"month": "2026-07"})
    assert future.status_code == 400 and "尚未到来" in future.content.decode()
    bad = county.get(reverse("reports:dashboard"), {"category": "rich"})
    assert bad.status_code == 400 and "认定类别“rich”不存在" in bad.content.decode()
    assert county.get(reverse("reports:dashboard"), {"month": "2026-13"}).status_code == 400
    clerk = client_for(make_user(Role.TOWNSHIP_CLERK, CHANGNING))
    assert clerk.get(reverse("reports:dashboard"), {"township": GUANGHUA}).status_code == 404
    assert clerk.get(reverse("reports:dashboard"), {"township": "999999999"}).status_code == 404
    assert (
        clerk.get(reverse("reports:dashboard_list"), {"kind": "inflow", "township": GUANGHUA}).status_code
        == 404
    )
    assert county.get(reverse("reports:dashboard_list"), {"kind": "nothing"}).status_code == 400
    assert (
        county.get(reverse("reports:dashboard_list"), {"kind": "inflow", "period": "2024-01"}).status_code
        == 400
    )
    for role in (Role.VILLAGE_OFFICER, Role.DEPT_LIAISON, Role.AUDITOR, Role.REVIEW_MEMBER):
        assert client_for(make_user(role)).get(reverse("reports:dashboard")).status_code == 403


def test_the_api_answers_the_same_and_refuses_the_same(roster, make_user, today):
    def api(user, path, **params):
        token = issue_token(user=user)
        return Client().get(f"/api/v1{path}", params, HTTP_AUTHORIZATION=f"Bearer {token}")

    office = make_user(Role.LEADING_OFFICE, "141029")
    r = api(office, "/dashboard", month="2026-05")
    assert r.status_code == 200 and r.json()["stock"]["total"]["households"] == 3
    assert r.json()["from_summary"] is False and r.json()["as_of"] is None
    assert api(office, "/dashboard", month="2026-07").json()["field"] == "month"
    assert api(office, "/dashboard", category="rich").json()["field"] == "category"
    clerk = make_user(Role.TOWNSHIP_CLERK, CHANGNING)
    assert api(clerk, "/dashboard", township=GUANGHUA).status_code == 404
    drill = api(office, "/dashboard/list", kind="inflow", month="2026-05", period="2026-03").json()
    assert drill["count"] == 1 and drill["ids"]


def test_finance_reads_the_figures_without_the_lists(roster, make_user, client_for):
    finance = make_user(Role.FINANCE, "141029")
    assert figures_of(finance)["stock"]["total"]["households"] == 3
    c = client_for(finance)
    html = c.get(reverse("reports:dashboard")).content.decode()
    assert 'class="drill"' not in html and "仅汇总数字" in html
    assert c.get(reverse("reports:dashboard_list"), {"kind": "inflow"}).status_code == 403


def test_comparison_leads_raised_handled_and_pending(make_household, make_user):
    clerk = make_user(Role.TOWNSHIP_CLERK, CHANGNING)
    home = make_household(VILLAGE_A)
    village = Area.objects.get(code=VILLAGE_A)
    leads = [
        Lead.objects.create(
            reference=f"L-{i}",
            channel=Channel.DATA_COMPARISON,
            village=village,
            household=home,
            summary="比对",
        )
        for i in range(3)
    ]
    Lead.objects.create(reference="L-9", channel=Channel.GRASSROOTS, village=village, summary="排查")
    dismiss_lead(user=clerk, lead=leads[0], reason="核实无误")
    office = make_user(Role.LEADING_OFFICE, "141029")
    data = figures_of(office)
    this = data["leads"]["months"][-1]
    assert (this["raised"], this["handled"], this["confirmed"]) == (3, 1, 0)
    assert data["leads"]["pending"] == 2
    last = figures_of(
        office,
        month=str(clock.today().replace(day=1) - dt.timedelta(days=1))[:7],
    )
    assert last["leads"]["pending"] == 0 and last["leads"]["months"][-1]["raised"] == 0


def _count_queries(user, month):
    q = query.parse(user, {"month": month})
    with CaptureQueriesContext(connection) as ctx:
        figures.dashboard(user, q)
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_register(make_household, make_user, today):
    office = make_user(Role.LEADING_OFFICE, "141029")
    for i in range(2):
        open_row(
            make_household(VILLAGE_A, members=[member("head", name="甲" + "一二三四五六七八九十"[i])]),
            D(2026, 2, 1),
        )
    two = _count_queries(office, "2026-05")
    for i in range(18):
        h = make_household(
            VILLAGE_C if i % 2 else VILLAGE_A,
            members=[member("head", name="乙" + "一二三四五六七八九十"[i % 10] + "子丑寅"[i // 10])],
        )
        open_row(h, D(2026, 3, 1), "tekun" if i % 3 else "dibao")
    assert _count_queries(office, "2026-05") == two
    assert two <= 20


def test_drill_down_links_are_urlencoded_without_empty_values():
    from urllib.parse import urlencode

    from safetynet.web.views.dashboard import _with_query

    params = {
        "on": "2026-05-01",
        "township": "141029204",
        "category": "",
        "kind": "a b&c=d/é",
        "n": 3,
        "x": None,
    }
    kept = {k: v for k, v in params.items() if v not in ("", None)}
    assert _with_query("/rosters/", params) == "/rosters/?" + urlencode(kept)
    assert _with_query("/rosters/", {"category": "", "marked": None}) == "/rosters/"
