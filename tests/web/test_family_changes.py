"""家庭变化 on the household page: a page per change, the message after it, the members after it,
the field's message on a refusal, confirmation on destructive forms, 404 outside the area."""

from __future__ import annotations

import datetime as dt

from django.contrib.messages import get_messages
from django.urls import reverse

from safetynet.accounts.roles import Role
from safetynet.core.masking import mask_name
from safetynet.registry.models import Household, Membership
from tests.conftest import GUANGHUA, JOINED, TODAY, member, new_id, of


def _page(c, household):
    return c.get(reverse("web:household", args=[household.pk])).content.decode()


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_household_page_offers_every_change_to_an_editor_only(family, clerk, client_for, make_user):
    html = _page(client_for(clerk), family)
    for name in ("change_join", "change_head", "change_split", "change_merge"):
        assert reverse(f"web:{name}", args=[family.pk]) in html
    assert reverse("web:change_leave", args=[family.pk, of(family, "王小红").pk]) in html
    auditor_html = _page(client_for(make_user(Role.AUDITOR)), family)
    assert "家庭变化" not in auditor_html and "成员变化" not in auditor_html


def test_a_death_through_the_form_shows_the_members_after_it_with_a_message(family, clerk, client_for):
    c = client_for(clerk)
    head, spouse = of(family, "王大山"), of(family, "李秀英")
    url = reverse("web:change_leave", args=[family.pk, head.pk])
    form = c.get(url).content.decode()
    assert "data-confirm=" in form and "新户主" in form
    r = c.post(url, {"kind": "death", "left_on": "2026-05-30", "version": family.version})
    assert r.status_code == 400
    assert "户主离开本户时须同时指定新户主" in r.content.decode()
    assert Membership.objects.get(pk=head.pk).current
    r = c.post(
        url, {"kind": "death", "left_on": "2026-05-30", "new_head": spouse.pk, "version": family.version}
    )
    assert r.status_code == 302 and r["Location"] == reverse("web:household", args=[family.pk])
    assert flashed(r) == [f"已登记{mask_name('王大山')}：死亡。"]
    html = _page(c, family)
    assert "现有家庭成员（3人）" in html and "曾经的家庭成员" in html and "死亡" in html


def test_the_change_form_offers_release_only_to_a_member_in_prison(family, clerk, client_for):
    c = client_for(clerk)
    son = of(family, "王小军")
    url = reverse("web:change_leave", args=[family.pk, son.pk])
    form = c.get(url).content.decode()
    assert 'value="prison"' in form and 'value="release"' not in form and 'value="study_end"' not in form
    r = c.post(url, {"kind": "prison", "left_on": "2026-02-01", "version": family.version})
    assert r.status_code == 302
    inside = of(family, "王小军")
    url = reverse("web:change_leave", args=[family.pk, inside.pk])
    form = c.get(url).content.decode()
    assert 'value="release"' in form and 'value="prison"' not in form and 'value="study"' not in form
    version = Household.objects.get(pk=family.pk).version
    r = c.post(url, {"kind": "release", "left_on": "2026-05-01", "version": version})
    assert r.status_code == 302 and flashed(r) == [f"已登记{mask_name('王小军')}：刑满释放。"]
    assert of(family, "王小军").counted


def test_a_change_of_head_through_the_form(family, clerk, client_for):
    c = client_for(clerk)
    son = of(family, "王小军")
    url = reverse("web:change_head", args=[family.pk])
    r = c.post(
        url, {"new_head": son.pk, "old_head_relation": "parent", "changed_on": "2026-05-01", "reason": ""}
    )
    assert r.status_code == 400 and "请填写变更原因" in r.content.decode()
    r = c.post(
        url,
        {
            "new_head": son.pk,
            "old_head_relation": "parent",
            "changed_on": "2026-05-01",
            "reason": "家庭协商",
            f"relations[{of(family, '王小红').pk}]": "sibling",
        },
    )
    assert r.status_code == 302, r.content.decode()
    assert Household.objects.get(pk=family.pk).head_id == son.person_id
    assert of(family, "王小红").relation == "sibling"
    assert "户主变更" in flashed(r)[0]


def test_a_birth_through_the_form_and_its_refusal_beside_the_field(family, clerk, client_for):
    c = client_for(clerk)
    url = reverse("web:change_join", args=[family.pk])
    assert "成员增加" in c.get(url).content.decode()
    number = new_id(dt.date(2026, 5, 3))
    body = {
        "kind": "birth",
        "name": "王小宝",
        "id_number": number,
        "relation": "spouse",
        "joined_on": "2026-05-20",
    }
    r = c.post(url, body)
    assert r.status_code == 400
    assert 'id="err-relation"' in r.content.decode() and "子女或孙子女" in r.content.decode()
    r = c.post(url, {**body, "relation": "grandchild"})
    assert r.status_code == 302
    assert of(family, "王小宝").joined_kind == "birth"


def test_a_split_through_the_form(family, clerk, client_for):
    c = client_for(clerk)
    son, daughter = of(family, "王小军"), of(family, "王小红")
    url = reverse("web:change_split", args=[family.pk])
    page = c.get(url).content.decode()
    assert "data-confirm=" in page
    # The new household's village: every village in reach by township and name, its own chosen.
    village = family.village
    assert f'<option value="{village.code}" selected>{village.parent.name} {village.name}</option>' in page
    body = {"move": [son.pk, daughter.pk], "new_head": son.pk, "split_on": "2026-05-01", "reason": "另立户"}
    r = c.post(url, body)
    assert r.status_code == 400  # the daughter's relation to the new head is missing
    assert f'id="err-relations[{daughter.pk}]"' in r.content.decode()
    r = c.post(url, {**body, f"relations[{daughter.pk}]": "sibling"})
    assert r.status_code == 302
    new = Household.objects.exclude(pk=family.pk).get(head_id=son.person_id)
    assert f"户{new.pk}" in flashed(r)[0]
    assert new.memberships.filter(left_on__isnull=True).count() == 2


def test_a_merge_through_the_form_closes_the_other_household(family, clerk, client_for, make_household):
    other = make_household(members=[member(name="王老汉", birth=dt.date(1940, 1, 1), joined_on=JOINED)])
    c = client_for(clerk)
    url = reverse("web:change_merge", args=[family.pk])
    page = c.get(url, {"other": other.pk}).content.decode()
    old = other.memberships.get()
    assert f"relations[{old.pk}]" in page and "data-confirm=" in page
    r = c.post(url, {"other": other.pk, "merged_on": TODAY.isoformat(), "reason": "老人随子女生活"})
    assert r.status_code == 400 and "请填写王老汉与本户户主的关系" in r.content.decode()
    r = c.post(
        url,
        {
            "other": other.pk,
            f"relations[{old.pk}]": "parent",
            "merged_on": TODAY.isoformat(),
            "reason": "随子女",
        },
    )
    assert r.status_code == 302
    assert Household.objects.get(pk=other.pk).closed_on == TODAY
    closed_page = _page(c, other)
    assert "已销户" in closed_page and "家庭变化" not in closed_page
    assert c.get(url, {"other": 999999}).status_code == 404


def test_change_pages_are_not_found_outside_the_area_and_forbidden_to_readers(family, client_for, make_user):
    outsider = client_for(make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_guanghua"))
    for name in ("change_join", "change_head", "change_split", "change_merge"):
        assert outsider.get(reverse(f"web:{name}", args=[family.pk])).status_code == 404
    member_url = reverse("web:change_leave", args=[family.pk, of(family, "王小红").pk])
    assert outsider.post(member_url, {"kind": "move_out", "left_on": "2026-05-01"}).status_code == 404
    reader = client_for(make_user(Role.REVIEW_MEMBER))
    assert reader.post(member_url, {"kind": "move_out", "left_on": "2026-05-01"}).status_code == 403
    assert of(family, "王小红").current
