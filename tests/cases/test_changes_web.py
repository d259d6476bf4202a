"""The change, review and stop steps on the case page: the kind's own forms, errors beside the
field, the letter as a page and a PDF, the household page's timeline."""

from __future__ import annotations

import pytest
from django.test import Client

from safetynet.entitlements.models import Entitlement
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_the_case_page_decides_a_stop_with_its_reason_and_prints_the_letter(dyn, users, recipient):
    data = dyn.to_decision()
    web = _client(users["review_member"])
    page = web.get(f"/cases/{dyn.case_id}/").content.decode()
    assert 'id="change-decision-form"' in page and 'id="decision-form"' not in page
    assert "复核" in page and 'id="in-force"' in page
    url = f"/cases/{dyn.case_id}/do/change_decision/"
    r = web.post(url, {"version": data["version"], "action": "stop", "reason": ""})
    assert r.status_code == 400 and "停发（退出）的书面理由" in r.content.decode()
    r = web.post(url, {"version": data["version"], "action": "stop", "reason": "家庭收入超过低保标准"})
    assert r.status_code == 302
    page = web.get(f"/cases/{dyn.case_id}/").content.decode()
    assert 'id="stop-notice"' in page and 'id="stop-objection-form"' in page
    letter = recipient.letters.get()
    text = web.get(f"/cases/{dyn.case_id}/letters/{letter.pk}/").content.decode()
    assert "停发（退出）告知书" in text and "家庭收入超过低保标准" in text
    pdf = web.get(f"/cases/{dyn.case_id}/letters/{letter.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    outsider = users["township_clerk"].__class__.objects.create_user(
        username="far_clerk", password=PASSWORD, role="township_clerk", area=_far_township()
    )
    assert _client(outsider).get(f"/cases/{dyn.case_id}/letters/{letter.pk}/").status_code == 404


def _far_township():
    from safetynet.registry.models import Area

    return Area.objects.get(code="141029101")


def test_the_household_page_shows_the_timeline(users, recipient):
    page = _client(users["township_clerk"]).get(f"/households/{recipient.pk}/").content.decode()
    assert 'id="entitlements"' in page and "2026年2月1日" in page and "认定" in page
    assert Entitlement.objects.filter(household=recipient).count() == 1


def test_the_household_page_takes_a_review_case_and_refuses_a_second(users, recipient, clock):
    web = _client(users["township_clerk"])
    page = web.get(f"/households/{recipient.pk}/").content.decode()
    assert 'id="change-case-form"' in page
    form = {"household_id": recipient.pk, "kind": "review", "summary": "年度复核", "from": "household"}
    r = web.post("/cases/accept/", form)
    case = recipient.cases.get()
    assert r.status_code == 302 and r.url == f"/cases/{case.pk}/" and case.kind == "review"
    r = web.post("/cases/accept/", {**form, "kind": "stop"}, follow=True)
    assert "已有正在办理的案件" in r.content.decode() and recipient.cases.count() == 1
