"""花名册 pages: the totals and rows in the viewer's reach, the message beside a refused filter,
404 for an area outside the reach, sorting by header, the export forms, a bounded query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safetynet.accounts.roles import Role
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A, member
from tests.rosters.conftest import open_row

pytestmark = pytest.mark.django_db


def test_the_roster_page_shows_the_totals_and_the_rows(roster, make_user, client_for):
    c = client_for(make_user(Role.COUNTY_CIVIL, "141029"))
    r = c.get(reverse("rosters:roster"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "共 <strong>3</strong> 户 <strong>4</strong> 人，户月金额合计 <strong>1650.00</strong> 元" in html
    assert "王*国" in html and "王建国" not in html
    assert "导出未脱敏 Excel" in html  # county civil affairs may unmask, with a reason
    april = c.get(reverse("rosters:roster"), {"on": "2026-04-15", "category": "dibao"}).content.decode()
    assert "600.00" in april and "450.00" not in april


def test_a_refused_filter_is_named_beside_its_field_and_shows_no_rows(roster, make_user, client_for):
    c = client_for(make_user(Role.COUNTY_CIVIL, "141029"))
    r = c.get(reverse("rosters:roster"), {"category": "rich"})
    html = r.content.decode()
    assert r.status_code == 400 and 'id="err-category"' in html and "认定类别“rich”不存在" in html
    assert "王*国" not in html
    assert c.get(reverse("rosters:roster"), {"on": "2030-01-01"}).status_code == 400


def test_an_area_outside_the_reach_is_a_404_and_roles_without_the_roster_are_refused(
    roster, make_user, client_for
):
    clerk = client_for(make_user(Role.TOWNSHIP_CLERK, CHANGNING))
    assert clerk.get(reverse("rosters:roster"), {"township": GUANGHUA}).status_code == 404
    assert clerk.get(reverse("rosters:monitored"), {"township": GUANGHUA}).status_code == 404
    html = clerk.get(reverse("rosters:roster")).content.decode()
    assert "共 <strong>2</strong> 户" in html
    assert client_for(make_user(Role.DEPT_LIAISON)).get(reverse("rosters:roster")).status_code == 403
    member_html = client_for(make_user(Role.REVIEW_MEMBER, CHANGNING)).get(reverse("rosters:roster")).content
    assert "导出未脱敏 Excel" not in member_html.decode()


def test_sorting_by_the_amount_header(roster, make_user, client_for):
    c = client_for(make_user(Role.COUNTY_CIVIL, "141029"))
    html = c.get(reverse("rosters:roster"), {"sort": "-benefit_monthly"}).content.decode()
    at = [html.index(f">户{roster[k].pk}<") for k in ("liu", "wang", "zhao")]
    assert at == sorted(at)


def test_the_monitored_page_lists_the_monitored_with_the_closure_outlook(roster, make_user, client_for):
    c = client_for(make_user(Role.COUNTY_AGRI, "141029"))
    html = c.get(reverse("rosters:monitored")).content.decode()
    assert "赵*" in html and "边缘易致贫户" in html and "暂不能" in html
    assert "王*国" not in html


def test_the_export_refusal_comes_back_on_the_page(roster, make_user, client_for, monkeypatch):
    from safetynet.rosters import exports

    monkeypatch.setattr(exports, "EXPORT_CONFIRM_ROWS", 1)
    c = client_for(make_user(Role.COUNTY_CIVIL, "141029"))
    r = c.get(reverse("rosters:export"))
    assert r.status_code == 400 and 'id="err-confirm"' in r.content.decode()
    ok = c.get(reverse("rosters:export"), {"confirm": "1"})
    assert ok.status_code == 200 and ok["Content-Type"].startswith("application/vnd.openxml")
    r = c.get(reverse("rosters:export"), {"unmasked": "1", "confirm": "1"})
    assert r.status_code == 400 and 'id="err-reason"' in r.content.decode()


def _queries(c, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_roster_page_query_count_does_not_grow_with_the_rows(
    roster, make_household, make_user, client_for
):
    c = client_for(make_user(Role.COUNTY_CIVIL, "141029"))
    url = reverse("rosters:roster")
    few = _queries(c, url)
    for i in range(30):
        h = make_household(
            VILLAGE_A,
            members=[
                member(
                    "head",
                    name="孙" + "一二三四五六七八九十"[i % 10] + "甲乙丙"[i // 10],
                    birth=dt.date(1960, 1, 1 + i % 28),
                )
            ],
        )
        open_row(h, dt.date(2026, 4, 1), amount="300")
    assert _queries(c, url) <= few


def test_a_household_moved_to_another_township_takes_its_rows_to_that_townships_roster(
    roster, make_user, client_for
):
    """Entitlement rows keep their household's village (found by area through their own index):
    a move made on the household moves every row with it, past ones too, in the same transaction."""
    from safetynet.entitlements.models import Entitlement
    from safetynet.registry import services
    from tests.conftest import VILLAGE_C

    wang = roster["wang"]
    county = make_user(Role.COUNTY_CIVIL, "141029")
    services.update_household(user=county, household=wang, village_code=VILLAGE_C)
    assert set(Entitlement.objects.filter(household=wang).values_list("village__code", flat=True)) == {
        VILLAGE_C
    }
    c = client_for(county)
    guanghua = c.get(reverse("rosters:roster"), {"township": GUANGHUA}).content.decode()
    changning = c.get(reverse("rosters:roster"), {"township": CHANGNING}).content.decode()
    assert "王*国" in guanghua and "王*国" not in changning
    april = c.get(reverse("rosters:roster"), {"township": GUANGHUA, "on": "2026-04-15"}).content.decode()
    assert "王*国" in april


def test_a_roster_page_reads_its_keys_first_then_its_rows_in_the_same_order(
    roster, make_household, make_user, client_for
):
    """The page's keys come from the filters and the sort alone (an index on PostgreSQL), then
    only those rows are read with their villages and heads' names: the pages are the sorted
    selection cut in twenties, whatever the sort, ties broken by the household (in the header's
    direction), on both databases."""
    for i in range(45):
        h = make_household(
            VILLAGE_A,
            members=[member("head", name="钱" + "一二三四五六七八九"[i % 9] + "甲乙丙丁戊"[i // 9])],
        )
        open_row(h, dt.date(2026, 3, 1 + i % 20), amount=str(100 * (i % 7)))
    c = client_for(make_user(Role.COUNTY_CIVIL, "141029"))
    from safetynet.entitlements.models import Entitlement

    rows = [e for e in Entitlement.objects.all() if e.valid_until is None]
    orders = {
        "-benefit_monthly": sorted(rows, key=lambda e: (-e.benefit_monthly, -e.household_id)),
        "valid_from": sorted(rows, key=lambda e: (e.valid_from, e.household_id)),
        "household_id": sorted(rows, key=lambda e: e.household_id),
    }
    for sort, ordered in orders.items():
        shown = []
        for page in (1, 2, 3):
            with CaptureQueriesContext(connection) as ctx:
                html = c.get(reverse("rosters:roster"), {"sort": sort, "page": page}).content.decode()
            at = {e.household_id: html.find(f">户{e.household_id}<") for e in ordered}
            shown += sorted((i for i in at if at[i] >= 0), key=at.get)
            (read,) = [q["sql"] for q in ctx.captured_queries if "head_name" in q["sql"]]
            assert " IN (" in read and read.count("LIMIT") == read.count("LIMIT 1)")  # the heads' names
        assert shown == [e.household_id for e in ordered], sort
