"""特困 support mode (集中供养 / 分散供养): recorded per member on the timeline, carried into the next
row, changed only through the service (a new row, same review date), shown on the household page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.audit.services import SYSTEM
from safetynet.core.errors import ValidationFailed
from safetynet.entitlements import selectors
from safetynet.entitlements import services as ent
from safetynet.entitlements.models import Entitlement
from tests.conftest import PASSWORD, TODAY, member

pytestmark = pytest.mark.django_db
D = dt.date


def _open(h, start, category="tekun", basis="admission", members=()):
    return ent.open_row(
        household=h,
        valid_from=start,
        terms=ent.Terms(category=category, benefit_monthly=Decimal("900"), members=members),
        basis=basis,
        decided_on=start,
        actor=SYSTEM,
    )


def _mode(row, person):
    return row.members.get(person=person).support_mode


@pytest.fixture
def tekun(make_household, today):
    h = make_household(members=[member("head", name="孤老甲", birth=D(1940, 1, 1))])
    return h, h.head


def test_a_mode_change_opens_the_next_row_with_the_same_review_date(tekun):
    h, person = tekun
    first = _open(h, D(2026, 1, 1))
    assert _mode(first, person) == ""  # not recorded yet
    end, review_due = first.valid_until, first.review_due
    row = ent.set_support_mode(
        household=h,
        person_id=person.pk,
        mode="centralised",
        on=D(2026, 3, 10),
        actor=SYSTEM,
        reason="入住敬老院",
    )
    first.refresh_from_db()
    assert (first.valid_until, row.valid_from, row.basis) == (D(2026, 3, 10), D(2026, 3, 10), "change")
    assert (row.review_due, row.valid_until) == (review_due, end)
    assert (row.category, row.benefit_monthly) == ("tekun", Decimal("900.00"))
    assert _mode(row, person) == "centralised"
    assert "集中供养" in row.reason and "入住敬老院" in row.reason
    # the past stays as it was
    assert _mode(selectors.entitlement_on(h, D(2026, 3, 9)), person) == ""


def test_the_mode_is_carried_into_a_later_row_and_recording_it_again_changes_nothing(tekun):
    h, person = tekun
    _open(h, D(2026, 1, 1))
    row = ent.set_support_mode(
        household=h, person_id=person.pk, mode="dispersed", on=D(2026, 2, 1), actor=SYSTEM, reason="在家"
    )
    again = ent.set_support_mode(
        household=h, person_id=person.pk, mode="dispersed", on=D(2026, 4, 1), actor=SYSTEM, reason="在家"
    )
    assert again == row and Entitlement.objects.filter(household=h).count() == 2
    later = _open(h, D(2026, 5, 1), basis="review")
    assert _mode(later, person) == "dispersed"
    dibao = _open(h, D(2026, 6, 1), category="dibao", basis="change")
    assert _mode(dibao, person) == ""  # only a 特困 member has a support mode


def test_bad_input_is_refused_and_nothing_is_written(tekun, make_household):
    h, person = tekun
    _open(h, D(2026, 1, 1))
    other = make_household(members=[member("head", name="低保乙")])
    _open(other, D(2026, 1, 1), category="dibao")
    cases = [
        (dict(household=h, person_id=person.pk, mode="nursing", on=D(2026, 2, 1)), "support_mode"),
        (dict(household=h, person_id=person.pk, mode="centralised", on=D(2025, 12, 1)), "on"),
        (dict(household=h, person_id=other.head.pk, mode="centralised", on=D(2026, 2, 1)), "person_id"),
        (dict(household=other, person_id=other.head.pk, mode="centralised", on=D(2026, 2, 1)), "person_id"),
        (dict(household=h, person_id=person.pk, mode="centralised", on=D(2026, 1, 1)), "valid_from"),
    ]
    before = AuditRecord.objects.count()
    for kw, field in cases:
        with pytest.raises(ValidationFailed) as e:
            ent.set_support_mode(actor=SYSTEM, reason="测试", **kw)
        assert e.value.field == field, kw
    with pytest.raises(ValidationFailed) as e:
        ent.set_support_mode(
            household=h, person_id=person.pk, mode="centralised", on=D(2026, 2, 1), actor=SYSTEM, reason=" "
        )
    assert e.value.field == "reason"
    assert Entitlement.objects.count() == 2 and AuditRecord.objects.count() == before


def test_the_township_records_it_on_the_household_page_and_others_may_not(tekun, make_user, client):
    h, person = tekun
    _open(h, D(2026, 1, 1))
    officer = make_user(Role.VILLAGE_OFFICER)
    client.login(username=officer.username, password=PASSWORD)
    assert client.get(f"/households/{h.pk}/support-mode/").status_code == 403
    assert "登记供养方式" not in client.get(f"/households/{h.pk}/").content.decode()
    clerk = make_user(Role.TOWNSHIP_CLERK)
    client.login(username=clerk.username, password=PASSWORD)
    page = client.get(f"/households/{h.pk}/").content.decode()
    assert "供养方式未登记" in page and "登记供养方式" in page
    bad = client.post(
        f"/households/{h.pk}/support-mode/",
        {"person_id": person.pk, "support_mode": "x", "on": "2026-05-01", "reason": "入住"},
    )
    assert bad.status_code == 400 and "集中供养或分散供养" in bad.content.decode()
    ok = client.post(
        f"/households/{h.pk}/support-mode/",
        {
            "person_id": person.pk,
            "support_mode": "centralised",
            "on": TODAY.isoformat(),
            "reason": "入住乡敬老院",
        },
    )
    assert ok.status_code == 302
    assert "集中供养" in client.get(f"/households/{h.pk}/").content.decode()
    assert _mode(selectors.entitlement_on(h, TODAY), person) == "centralised"


def test_the_api_records_it_and_answers_with_the_timeline(tekun, make_user):
    from tests.api.conftest import ApiClient  # noqa: PLC0415

    h, person = tekun
    _open(h, D(2026, 1, 1))
    api = ApiClient(make_user(Role.TOWNSHIP_CLERK))
    url = f"/households/{h.pk}/entitlements/support-mode"
    body = {"person_id": person.pk, "support_mode": "dispersed", "on": "2026-04-01", "reason": "本人选择在家"}
    res = api.post(url, body)
    assert res.status_code == 200, res.content
    assert [r["members"][0]["support_mode"] for r in res.json()["items"]] == ["", "dispersed"]
    bad = api.post(url, {**body, "support_mode": "home"})
    assert bad.status_code == 400 and "support_mode" in bad.content.decode()
    assert ApiClient(make_user(Role.VILLAGE_OFFICER)).post(url, body).status_code == 403
    elsewhere = ApiClient(make_user(Role.TOWNSHIP_CLERK, "141029101", "clerk_guanghua"))
    assert elsewhere.post(url, body).status_code == 404
