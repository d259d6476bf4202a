"""Every list page through django-filter and django-tables2: a search box and filters (areas by
name), sorting by a header, 50 rows a page with the count; the rows stay those of the user's reach,
role by role; no inline style or script in what the table template renders; and a fixed number of
queries whatever the number of rows (60+)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safetynet.accounts.roles import Role
from safetynet.cases import notifications, services
from safetynet.cases.models import Lead
from tests.cases.conftest import (  # noqa: F401  (fixtures of the case tests)
    _jobs_and_media,
    clock,
    poor_household,
    proc,
)
from tests.conftest import CHANGNING, GUANGHUA, VILLAGE_A, VILLAGE_B, VILLAGE_C, member, new_id
from tests.web.test_security_headers import INLINE

MANY = 63
DIGITS = "零一二三四五六七八九"


def _cn(i: int) -> str:
    """A name part from a number (names take Chinese characters only)."""
    return "".join(DIGITS[int(d)] for d in str(i))


def _lead(user, village=VILLAGE_A, name="孙某某", channel="grassroots"):
    lead, _ = services.file_lead(
        user=user,
        channel=channel,
        village_code=village,
        summary="走访发现困难",
        subject_name=name,
        subject_id_number=new_id(),
    )
    return lead


def _rows(html: str, table_id: str) -> int:
    table = re.search(rf'<table[^>]*id="{table_id}".*?<tbody[^>]*>(.*?)</tbody>', html, re.S)
    assert table, f"no table #{table_id}"
    return len(re.findall(r"<tr[^>]*>\s*<td(?![^>]*colspan)", table.group(1)))


# A page that is not full tells its rows' count; a full one counts them (lists.PageFirstPaginator).
COUNT = 1


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.fixture
def spread_leads(users):
    admin = users["admin"]
    return {
        "a": _lead(admin, VILLAGE_A, "赵甲"),
        "b": _lead(admin, VILLAGE_B, "钱乙", channel="department_warning"),
        "c": _lead(admin, VILLAGE_C, "孙丙"),
    }


# ---- filters, search, sorting, pages ------------------------------------------------------------


def test_leads_search_filter_by_channel_village_and_status_with_area_names(spread_leads, users, client_for):
    c = client_for(users["township_clerk"])
    page = c.get("/cases/leads/").content.decode()
    assert "共 2 条" in page and _rows(page, "leads") == 2
    assert '<option value="141029100202">昌宁镇 西关村</option>' in page  # villages by name
    assert re.search(r'<th[^>]*class="orderable"[^>]*>\s*<a href="\?sort=reference">编号</a>', page)
    assert spread_leads["a"].reference in c.get("/cases/leads/", {"q": "赵"}).content.decode()
    assert "共 1 条" in c.get("/cases/leads/", {"q": "西关"}).content.decode()
    only = c.get("/cases/leads/", {"channel": "department_warning"}).content.decode()
    assert spread_leads["b"].reference in only and spread_leads["a"].reference not in only
    chosen = c.get("/cases/leads/", {"village": VILLAGE_A}).content.decode()
    assert "共 1 条" in chosen and f'<option value="{VILLAGE_A}" selected>昌宁镇 东关村</option>' in chosen
    services.dismiss_lead(user=users["township_clerk"], lead=spread_leads["a"], reason="重复")
    assert "共 1 条" in c.get("/cases/leads/").content.decode()  # new ones by default
    assert "共 1 条" in c.get("/cases/leads/", {"status": "dismissed"}).content.decode()
    assert "共 2 条" in c.get("/cases/leads/", {"status": ""}).content.decode()


def test_sorting_by_a_header_orders_the_rows(spread_leads, users, client_for):
    c = client_for(users["county_civil"])
    up = c.get("/cases/leads/", {"sort": "reference"}).content.decode()
    down = c.get("/cases/leads/", {"sort": "-reference"}).content.decode()
    refs = sorted(lead.reference for lead in spread_leads.values())
    assert up.index(refs[0]) < up.index(refs[-1]) and down.index(refs[-1]) < down.index(refs[0])


def test_a_bad_date_or_an_area_outside_reach_is_refused_beside_its_field(spread_leads, users, client_for):
    c = client_for(users["township_clerk"])
    r = c.get("/cases/leads/", {"township": GUANGHUA})  # not this clerk's township
    assert r.status_code == 400 and 'id="err-township"' in r.content.decode()
    assert spread_leads["c"].reference not in r.content.decode()
    r = c.get("/cases/leads/", {"received_from": "2026-02-30"})
    assert r.status_code == 400 and 'id="err-received_from"' in r.content.decode()
    r = c.get("/cases/", {"accepted_from": "2026-03-02", "accepted_to": "2026-03-01"})
    assert r.status_code == 400 and "起始日期不能晚于截止日期。" in r.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/cases/leads/",
        f"/cases/leads/?township={CHANGNING}&village={VILLAGE_A}",
        f"/cases/?township={CHANGNING}&village={VILLAGE_A}",
        f"/households/?township={CHANGNING}&village={VILLAGE_A}",
    ],
)
def test_a_lists_area_filters_and_selects_share_one_read_of_the_areas(spread_leads, users, client_for, url):
    c = client_for(users["county_civil"])
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(url)
    page = r.content.decode()
    assert r.status_code == 200
    # the township and village filters (and, on the leads page, the new lead's village select)
    # offer the areas in reach, chosen ones selected, from one query of the areas
    assert f'<option value="{CHANGNING}"' in page and f'<option value="{GUANGHUA}"' in page
    assert f'<option value="{VILLAGE_B}">' in page or f'<option value="{VILLAGE_B}" ' in page
    if "township=" in url:
        assert f'<option value="{CHANGNING}" selected>' in page
        assert f'<option value="{VILLAGE_A}" selected>' in page
    area_queries = [q["sql"] for q in ctx.captured_queries if 'FROM "registry_area"' in q["sql"]]
    assert len(area_queries) == 1, area_queries


def test_a_filters_form_class_is_made_once_and_its_fields_are_each_requests_own(users, make_user, rf):
    """Two users of different townships get forms of one class, each with its own fields: the
    areas of its own reach, widgets that the other's page does not share."""
    from safetynet.cases import worklists
    from safetynet.web.lists.filters import CaseFilter, LeadFilter

    def filterset(user, cls=LeadFilter, **data):
        request = rf.get("/cases/leads/")
        request.user = user
        return cls(data, queryset=worklists.leads(user, status=""), request=request)

    clerk, other = users["township_clerk"], make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_gh4")
    mine, theirs = filterset(clerk), filterset(other)
    assert type(mine.form) is type(theirs.form) is LeadFilter.form_class
    assert not LeadFilter.form_class.base_fields
    assert {c for c, _ in mine.form.fields["township"].choices} == {"", CHANGNING}
    assert {c for c, _ in theirs.form.fields["township"].choices} == {"", GUANGHUA}
    assert list(mine.form.fields) == list(LeadFilter.base_filters)
    mine.form.fields["q"].widget.attrs["data-x"] = "1"
    assert "data-x" not in theirs.form.fields["q"].widget.attrs
    assert "data-x" not in filterset(clerk).form.fields["q"].widget.attrs
    assert mine.form.fields["q"].widget.attrs["class"] == "form-control"
    # each FilterSet its own class, with its own date pairs
    bad = filterset(clerk, CaseFilter, accepted_from="2026-03-02", accepted_to="2026-03-01")
    assert type(bad.form) is CaseFilter.form_class is not LeadFilter.form_class
    assert not bad.form.is_valid() and bad.form.non_field_errors() == ["起始日期不能晚于截止日期。"]
    assert filterset(clerk, received_from="2026-03-02", received_to="2026-03-03").form.is_valid()


def test_a_village_officers_case_filter_offers_the_officers_own_township(users, client_for):
    page = client_for(users["village_officer"]).get("/cases/").content.decode()
    assert f'<option value="{CHANGNING}">昌宁镇</option>' in page  # the township, out of reach
    r = client_for(users["village_officer"]).get("/cases/", {"township": GUANGHUA})
    assert r.status_code == 400 and 'id="err-township"' in r.content.decode()
    assert client_for(users["village_officer"]).get("/cases/", {"township": CHANGNING}).status_code == 200


def test_cases_filter_by_state_township_and_search(proc, users, client_for):  # noqa: F811
    proc.accept()
    c = client_for(users["county_civil"])
    page = c.get("/cases/").content.decode()
    assert proc.data["reference"] in page and "共 1 条" in page
    assert '<option value="141029100">昌宁镇</option>' in page
    assert "共 1 条" in c.get("/cases/", {"township": CHANGNING}).content.decode()
    assert "共 0 条" in c.get("/cases/", {"township": GUANGHUA}).content.decode()
    assert "共 1 条" in c.get("/cases/", {"q": proc.data["reference"][-4:]}).content.decode()
    assert "共 0 条" in c.get("/cases/", {"state": "filed"}).content.decode()
    assert "共 0 条" in c.get("/cases/", {"due": "overdue"}).content.decode()


def test_the_deadline_board_counts_per_township_and_links_to_those_cases(proc, users, client_for):  # noqa: F811
    proc.accept()
    c = client_for(users["county_civil"])
    page = c.get("/cases/dashboard/").content.decode()
    assert _rows(page, "dashboard") == 10  # the county's townships, by name
    assert '<td data-label="乡镇">昌宁镇</td>' in page and '/cases/?township=141029100">1</a>' in page
    assert _rows(c.get("/cases/dashboard/", {"q": "昌宁"}).content.decode(), "dashboard") == 1
    assert _rows(c.get("/cases/dashboard/", {"overdue": "1"}).content.decode(), "dashboard") == 0


def test_inbox_filters_unread_and_kind(users, client_for):
    officer = users["village_officer"]
    for i in range(3):
        notifications.notify_users([officer], case=None, kind="lead", title=f"新线索{i}", key=f"k{i}")
    notifications.notify_users([officer], case=None, kind="due", title="即将到期", key="due")
    c = client_for(officer)
    assert "共 4 条" in c.get("/cases/inbox/").content.decode()
    assert "共 1 条" in c.get("/cases/inbox/", {"kind": "due"}).content.decode()
    item = officer.inbox.filter(kind="due").get()
    c.post("/cases/inbox/", {"item_id": item.pk})
    assert "共 3 条" in c.get("/cases/inbox/", {"read": "unread"}).content.decode()
    assert "共 1 条" in c.get("/cases/inbox/", {"read": "read"}).content.decode()
    assert "共 4 条" not in client_for(users["township_clerk"]).get("/cases/inbox/").content.decode()


def test_households_filter_by_township_hukou_and_alleviation(register, users, client_for):
    c = client_for(users["county_civil"])
    assert "共 3 户" in c.get("/households/").content.decode()
    assert "共 2 户" in c.get("/households/", {"township": CHANGNING}).content.decode()
    assert "共 1 户" in c.get("/households/", {"alleviated": "1"}).content.decode()
    ordered = c.get("/households/", {"sort": "-address"}).content.decode()
    assert ordered.index("西关街2号") < ordered.index("东关街8号")


def test_parameters_search_and_verified_filter(users, client_for):
    c = client_for(users["county_civil"])
    every = c.get("/policy/parameters/").content.decode()
    some = c.get("/policy/parameters/", {"q": "低保"}).content.decode()
    n_all, n_some = _rows(every, "parameters"), _rows(some, "parameters")
    assert 0 < n_some < n_all and "dibao" in some


def test_uploads_filter_by_status(users, client_for, settings, tmp_path):
    from tests.verification.conftest import upload

    settings.DATA_DIR = tmp_path
    admin = users["admin"]
    upload(admin, "financial", b"bad,header\n1,2\n", name="bad.csv")
    c = client_for(admin)
    page = c.get("/exchange/uploads/").content.decode()
    assert "共 1 条" in page and "bad.csv" in page
    assert "共 1 条" in c.get("/exchange/uploads/", {"status": "rejected"}).content.decode()
    assert "共 0 条" in c.get("/exchange/uploads/", {"status": "accepted"}).content.decode()
    assert "共 0 条" in c.get("/exchange/uploads/", {"q": "nothing"}).content.decode()


# ---- scoping, role by role -------------------------------------------------------------------------

REACH = {  # which of the leads each role's worklist shows
    "township_clerk": {"a", "b"},
    "village_officer": {"a"},
    "county_civil": {"a", "b", "c"},
    "auditor": {"a", "b", "c"},
    "dept_liaison": set(),
}


@pytest.mark.parametrize("role", sorted(REACH))
def test_each_role_lists_only_the_leads_of_its_reach(role, spread_leads, users, client_for):
    html = client_for(users[role]).get("/cases/leads/", {"status": ""}).content.decode()
    shown = {k for k, lead in spread_leads.items() if lead.reference in html}
    assert shown == REACH[role]


def test_the_other_townships_clerk_sees_neither_its_cases_nor_its_counts(proc, users, make_user, client_for):  # noqa: F811
    proc.accept()
    other = client_for(make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_gh"))
    assert proc.data["reference"] not in other.get("/cases/", {"state": "all"}).content.decode()
    board = other.get("/cases/dashboard/").content.decode()
    assert _rows(board, "dashboard") == 1 and "光华镇" in board and "昌宁镇" not in board
    officer_board = client_for(users["village_officer"]).get("/cases/dashboard/").content.decode()
    assert '<td data-label="乡镇">昌宁镇</td>' in officer_board


def test_a_household_moved_to_another_township_takes_its_cases_to_that_townships_worklist(
    proc,  # noqa: F811
    users,
    make_user,
    client_for,
):
    """Cases keep their household's village (found by area through their own index): a move made
    on the household moves its cases with it in the same transaction, and reach follows."""
    from safetynet.cases.models import Case
    from safetynet.registry import services as registry_services

    proc.accept()
    case = Case.objects.get(pk=proc.case_id)
    assert case.village.code == VILLAGE_A
    registry_services.update_household(user=users["admin"], household=proc.household, village_code=VILLAGE_C)
    case.refresh_from_db()
    assert case.village.code == VILLAGE_C
    guanghua = client_for(make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_gh2"))
    assert proc.data["reference"] in guanghua.get("/cases/", {"state": "all"}).content.decode()
    assert (
        proc.data["reference"]
        not in client_for(users["township_clerk"]).get("/cases/", {"state": "all"}).content.decode()
    )


def test_the_cases_list_shows_the_cases_own_village_without_joining_its_household(
    proc,  # noqa: F811
    users,
    make_user,
    client_for,
):
    """The list shows, filters, sorts and searches by the case's own village, which moves with its
    household, so the page's rows are read from the case and its areas alone."""
    from safetynet.cases.models import Case
    from safetynet.registry import services as registry_services
    from safetynet.registry.models import Area

    proc.accept()
    registry_services.update_household(user=users["admin"], household=proc.household, village_code=VILLAGE_C)
    village = Area.objects.select_related("parent").get(code=VILLAGE_C)
    c = client_for(make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_gh3"))
    with CaptureQueriesContext(connection) as ctx:
        html = c.get("/cases/", {"state": "all", "village": VILLAGE_C, "sort": "village"}).content.decode()
    assert f'<td data-label="村（社区）">{village.parent.name} {village.name}</td>' in html
    assert proc.data["reference"] in html
    rows = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "cases_case"."id"')]
    assert rows and all("registry_household" not in sql for sql in rows), rows
    search = c.get("/cases/", {"state": "all", "q": village.name}).content.decode()
    assert proc.data["reference"] in search
    assert Case.objects.get(pk=proc.case_id).village_id == village.pk


# ---- what the table template renders ----------------------------------------------------------------


def test_list_pages_render_no_inline_style_or_script(spread_leads, register, users, client_for):
    pages = {
        "township_clerk": ["/cases/leads/", "/cases/", "/cases/dashboard/", "/cases/inbox/", "/households/"],
        "auditor": ["/audit/"],
        "admin": ["/exchange/uploads/"],
        "county_civil": ["/policy/parameters/"],
    }
    for role, urls in pages.items():
        c = client_for(users[role])
        for url in urls:
            html = c.get(url).content.decode()
            assert "table-stack" in html, url
            found = {
                k: m.group(0) for k, p in INLINE.items() if (m := p.search(html)) and k != "inline script"
            }
            assert not found, (url, found)
            assert not INLINE["inline script"].search(html.replace('type="application/json"', "")), url


# ---- query-count guards --------------------------------------------------------------------------------


def test_a_list_counts_its_rows_only_when_the_page_it_shows_is_full(users, client_for):
    c = client_for(users["township_clerk"])

    def counts(url) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return sum("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)

    for i in range(3):
        _lead(users["admin"], VILLAGE_A, f"周{_cn(i)}")
    assert counts("/cases/leads/") == 0  # 3 rows: the count is the page's
    for i in range(22):
        _lead(users["admin"], VILLAGE_A, f"吴{_cn(i)}")
    assert counts("/cases/leads/") == 1  # a full page: more may follow
    assert counts("/cases/leads/?page=2") == 0  # the last page, 5 rows, after 20
    html = c.get("/cases/leads/?page=2").content.decode()
    assert "共 25 条，第 2/2 页" in html and _rows(html, "leads") == 5
    assert counts("/cases/leads/?page=7") == 1  # past the end: counted, the last page shown
    assert "第 2/2 页" in c.get("/cases/leads/?page=7").content.decode()


def test_the_leads_list_reads_a_fixed_number_of_queries(users, client_for, django_assert_max_num_queries):
    admin, clerk, officer = users["admin"], users["township_clerk"], users["village_officer"]
    c = client_for(clerk)
    for i in range(3):
        _lead(admin, VILLAGE_A, f"周{_cn(i)}")
    few = _queries(c, "/cases/leads/")
    for i in range(MANY):
        _lead(admin, VILLAGE_A if i % 2 else VILLAGE_B, f"吴{_cn(i)}")
    services.assign_leads(
        user=clerk,
        lead_ids=list(Lead.objects.filter(village__code=VILLAGE_A).values_list("pk", flat=True)),
        officer=officer.pk,
    )
    with django_assert_max_num_queries(few + COUNT):
        html = c.get("/cases/leads/").content.decode()
    assert f"共 {MANY + 3} 条，第 1/4 页" in html and _rows(html, "leads") == 20
    with django_assert_max_num_queries(few + COUNT):
        c.get("/cases/leads/", {"sort": "-assigned_to", "page": 2})


def test_the_cases_list_and_the_board_read_a_fixed_number_of_queries(
    users, make_household, client_for, django_assert_max_num_queries
):
    clerk = users["township_clerk"]
    c = client_for(clerk)

    def cases(n, start):
        for i in range(start, start + n):
            h = make_household(
                VILLAGE_A, members=[member("head", name=f"郑{_cn(i)}")], address=f"郑家巷{i}号"
            )
            services.accept_case(user=clerk, household=h.pk)

    cases(2, 0)
    auditor = client_for(users["auditor"])
    viewers = {"/cases/": c, "/cases/dashboard/": c, "/households/": c, "/audit/": auditor}
    few = {url: _queries(viewer, url) + COUNT for url, viewer in viewers.items()}
    cases(MANY, 2)  # 63 more households, cases and audit records
    for url, viewer in viewers.items():
        with django_assert_max_num_queries(few[url]):
            html = viewer.get(url).content.decode()
        assert "共 " in html
    html = c.get("/cases/").content.decode()
    assert f"共 {MANY + 2} 条" in html and _rows(html, "cases") == 20
    with django_assert_max_num_queries(few["/audit/"]):
        auditor.get("/audit/?page=2")


def test_the_inbox_and_uploads_read_a_fixed_number_of_queries(
    users, client_for, settings, tmp_path, django_assert_max_num_queries
):
    from tests.verification.conftest import upload

    settings.DATA_DIR = tmp_path
    officer, admin = users["village_officer"], users["admin"]
    notifications.notify_users([officer], case=None, kind="lead", title="新线索", key="first")
    upload(admin, "financial", b"bad,header\n0,0\n", name="bad0.csv")
    inbox, uploads = client_for(officer), client_for(admin)
    few_inbox = _queries(inbox, "/cases/inbox/") + COUNT
    few_uploads = _queries(uploads, "/exchange/uploads/") + COUNT
    for i in range(MANY):
        notifications.notify_users([officer], case=None, kind="lead", title=f"新线索{i}", key=f"k{i}")
        upload(admin, "financial", f"bad,header\n{i},{i}\n".encode(), name=f"bad{i + 1}.csv")
    with django_assert_max_num_queries(few_inbox):
        html = inbox.get("/cases/inbox/").content.decode()
    assert f"共 {MANY + 1} 条" in html and _rows(html, "inbox") == 20
    with django_assert_max_num_queries(few_uploads):
        html = uploads.get("/exchange/uploads/").content.decode()
    assert f"共 {MANY + 1} 条" in html and _rows(html, "uploads") == 20


def test_the_household_list_reads_a_fixed_number_of_queries(
    make_household, users, client_for, django_assert_max_num_queries
):
    c = client_for(users["county_civil"])
    make_household(VILLAGE_A, members=[member("head", name="冯一")])
    few = _queries(c, "/households/?q=冯") + COUNT
    for i in range(MANY):
        make_household(
            VILLAGE_C, members=[member("head", name=f"冯{_cn(i)}"), member("child", name=f"冯子{_cn(i)}")]
        )
    with django_assert_max_num_queries(few):
        html = c.get("/households/", {"q": "冯", "sort": "-member_count"}).content.decode()
    assert f"共 {MANY + 1} 户" in html and '<td data-label="人数">2</td>' in html


def test_the_audit_log_shows_villages_in_changes_by_name(register, users, client_for):
    html = client_for(users["auditor"]).get("/audit/", {"action": "household.create"}).content.decode()
    assert '<span class="clabel">村（社区）</span>：光华村' in html
    assert "：141029101201" not in html


def test_the_bulk_assignment_offers_the_reachs_active_village_officers_by_place_and_name(
    users, make_user, client_for
):
    from safetynet.accounts.roles import Role

    b = make_user(Role.VILLAGE_OFFICER, VILLAGE_B, "officer_b")
    b.display_name = "李<专干>"
    b.save()
    make_user(Role.VILLAGE_OFFICER, VILLAGE_C, "officer_c")  # another township's
    gone = make_user(Role.VILLAGE_OFFICER, VILLAGE_B, "officer_gone")
    gone.is_active = False
    gone.save()
    html = client_for(users["township_clerk"]).get("/cases/leads/").content.decode()
    select = re.search(r'<select class="form-select" id="bulk-officer"[^>]*>(.*?)</select>', html, re.S)
    options = re.findall(r'<option value="(\d+)">([^<]*)</option>', select.group(1))
    officer_a = users["village_officer"]
    assert options == [
        (str(officer_a.pk), f"昌宁镇 东关村 · {officer_a.username}"),  # no display name: the username
        (str(b.pk), "昌宁镇 西关村 · 李&lt;专干&gt;"),  # escaped
    ]


@pytest.mark.parametrize("sort", ["channel", "-channel", "village"])
def test_a_header_sort_ends_with_the_key_so_pages_neither_repeat_nor_skip_a_row(sort, users, client_for):
    """Sorted by a column that ties (two channels, two villages for 45 leads), the pages read
    their rows sorted to the lead's key: every lead on exactly one page, in the column's order."""
    leads = [
        _lead(
            users["admin"],
            VILLAGE_A if i % 3 else VILLAGE_B,
            f"冯{_cn(i)}",
            ["grassroots", "department_warning"][i % 2],
        )
        for i in range(45)
    ]
    c = client_for(users["township_clerk"])
    seen = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as ctx:
            html = c.get("/cases/leads/", {"sort": sort, "page": page, "status": ""}).content.decode()
        at = {lead.pk: html.find(f">{lead.reference}<") for lead in leads}
        seen += sorted((pk for pk in at if at[pk] >= 0), key=at.get)
        (read,) = [
            q["sql"] for q in ctx.captured_queries if re.search(r"FROM \"cases_lead\".*LIMIT 20", q["sql"])
        ]
        assert re.search(r'"cases_lead"\."id" ASC LIMIT 20', read), read[-200:]
    assert sorted(seen) == sorted(lead.pk for lead in leads) and len(seen) == len(set(seen))
    key = (
        (lambda pk: Lead.objects.get(pk=pk).channel)
        if "channel" in sort
        else (lambda pk: Lead.objects.get(pk=pk).village.code)
    )
    values = [key(pk) for pk in seen]
    assert values == sorted(values, reverse=sort.startswith("-"))
    for value in set(values):  # ties, by the key
        tied = [pk for pk in seen if key(pk) == value]
        assert tied == sorted(tied)
