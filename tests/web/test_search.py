"""Household search: by name, pinyin initials, exact ID number, village and township."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safetynet.accounts.roles import Role
from tests.conftest import CHANGNING, VILLAGE_A, VILLAGE_B, member
from tests.web.conftest import HTMX


def _found(response) -> set[str]:
    html = response.content.decode()
    return {a for a in ("东关街8号", "西关街2号", "光华路5号") if a in html}


@pytest.fixture
def clerk_client(clerk, client_for):
    return client_for(clerk)


def test_search_by_name_shows_village_address_masked_head_count_and_mark(register, clerk_client):
    r = clerk_client.get(reverse("web:search"), {"q": "王建国"})
    html = r.content.decode()
    assert _found(r) == {"东关街8号"}
    assert "王*国" in html and "王建国" not in html.split('id="results"')[1]
    assert "东关村" in html and "脱贫户" in html
    assert '<td data-label="人数">2</td>' in html


def test_search_by_a_members_name_finds_the_household(register, clerk_client):
    assert _found(clerk_client.get(reverse("web:search"), {"q": "秀英"})) == {"东关街8号"}


def test_search_by_pinyin_initials(register, clerk_client):
    assert _found(clerk_client.get(reverse("web:search"), {"q": "wjg"})) == {"东关街8号"}
    assert _found(clerk_client.get(reverse("web:search"), {"q": "ZM"})) == {"西关街2号"}


def test_search_by_exact_id_number(register, clerk_client):
    assert _found(clerk_client.get(reverse("web:search"), {"q": register["a_head_id"]})) == {"东关街8号"}
    # Part of a number is not a match: IDs are found only whole.
    assert _found(clerk_client.get(reverse("web:search"), {"q": register["a_head_id"][:10]})) == set()


def test_search_by_village_and_township(register, users, client_for):
    c = client_for(users["county_civil"])
    assert _found(c.get(reverse("web:search"), {"village": VILLAGE_B})) == {"西关街2号"}
    assert _found(c.get(reverse("web:search"), {"township": CHANGNING})) == {"东关街8号", "西关街2号"}
    assert _found(c.get(reverse("web:search"))) == {"东关街8号", "西关街2号", "光华路5号"}


def test_village_select_offers_only_villages_in_reach(register, officer, client_for):
    html = client_for(officer).get(reverse("web:search")).content.decode()
    assert "东关村" in html and "西关村" not in html and "光华村" not in html


def test_township_clerk_does_not_find_households_of_other_township(register, clerk_client):
    assert _found(clerk_client.get(reverse("web:search"), {"q": "孙丽华"})) == set()
    assert _found(clerk_client.get(reverse("web:search"))) == {"东关街8号", "西关街2号"}


def test_department_liaison_finds_no_household(register, users, client_for):
    r = client_for(users["dept_liaison"]).get(reverse("web:search"))
    assert r.status_code == 200 and _found(r) == set()
    assert "共 0 户" in r.content.decode()


def test_htmx_live_search_returns_only_the_result_list(register, clerk_client):
    r = clerk_client.get(reverse("web:search"), {"q": "赵"}, **HTMX)
    html = r.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html and _found(r) == {"西关街2号"}
    assert "HX-Request" in r["Vary"]


def test_search_page_wires_the_live_search(register, clerk_client):
    html = clerk_client.get(reverse("web:search")).content.decode()
    assert 'hx-trigger="keyup changed delay:300ms, search"' in html
    assert 'hx-target="#results"' in html


def test_search_list_is_paginated(make_household, clerk_client):
    for i in range(23):
        make_household(VILLAGE_A, members=[member("head", name="周八")], address=f"周家巷{i}号")
    first = clerk_client.get(reverse("web:search"), {"q": "周八"}).content.decode()
    assert "共 23 户" in first and "第 1/2 页" in first and "下一页" in first
    second = clerk_client.get(reverse("web:search"), {"q": "周八", "page": 2}).content.decode()
    assert second.count('data-label="户号"') == 3


def test_search_list_query_count_does_not_grow_with_the_page(
    make_household, make_user, client_for, django_assert_max_num_queries
):
    for i in range(20):
        make_household(
            VILLAGE_A,
            members=[member("head", name="吴一"), member("child", name="吴二")],
            address=f"吴家巷{i}号",
        )
    c = client_for(make_user(Role.COUNTY_CIVIL, "141029", "county_q"))
    with django_assert_max_num_queries(10):  # with the search's own id queries (two for a text)
        r = c.get(reverse("web:search"), {"q": "吴"})
    assert r.content.decode().count('<td data-label="人数">2</td>') == 20
    with django_assert_max_num_queries(7):
        c.get(reverse("web:search"), {"q": "wy"}, **HTMX)
