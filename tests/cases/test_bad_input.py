"""Bad input on the procedure's forms and endpoints: a field error, never a server error."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["1e30", "1e15", "10000000000"])
def test_override_with_an_absurd_benefit_is_a_field_error(proc, amount):
    proc.to_decision()
    r = proc.api["review_leader"].post(
        f"/cases/{proc.case_id}/township-decision",
        {
            "version": proc.version,
            "action": "override",
            "reason": "入户核实收入低于申报",
            "panel": "组长、成员三人",
            "values": {"category": "dibao", "benefit_monthly": amount},
        },
    )
    assert r.status_code == 400, r.content.decode()
    assert r.json() == {"code": "invalid", "message": "金额过大，请核对。", "field": "benefit_monthly"}


@pytest.mark.django_db
def test_override_of_a_member_benefit_with_an_absurd_amount_is_a_field_error(proc):
    proc.to_decision()
    person = proc.household.memberships.filter(counted=True).first().person_id
    r = proc.api["review_leader"].post(
        f"/cases/{proc.case_id}/township-decision",
        {
            "version": proc.version,
            "action": "override",
            "reason": "配偶重病",
            "panel": "组长、成员三人",
            "values": {
                "category": "dibao_edge",
                "members": [{"person_id": person, "category": "individual_dibao", "benefit_monthly": "1e30"}],
            },
        },
    )
    assert r.status_code == 400, r.content.decode()
    assert r.json()["field"] == "members.0.benefit_monthly"


@pytest.mark.django_db
def test_web_decision_with_an_absurd_benefit_shows_the_error_beside_the_form(proc, users):
    proc.to_decision()
    c = Client()
    c.force_login(users["review_leader"])
    r = c.post(
        f"/cases/{proc.case_id}/do/decision/",
        {
            "decision_action": "override",
            "category": "dibao",
            "benefit_monthly": "1e30",
            "reason": "入户核实",
            "panel": "组长",
            "version": str(proc.version),
        },
    )
    assert r.status_code == 400
    assert "金额过大，请核对。" in r.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("extension_id", ["abc", "", "1.5"])
def test_web_extension_decision_with_a_malformed_id_is_not_found(proc, users, extension_id):
    proc.accept()
    c = Client()
    c.force_login(users["review_leader"])
    r = c.post(
        f"/cases/{proc.case_id}/do/extension_decide/", {"extension_id": extension_id, "approve": "yes"}
    )
    assert r.status_code == 404  # as for an extension that does not exist, not a server error


@pytest.mark.django_db
def test_web_inbox_mark_read_with_a_malformed_id_changes_nothing(users):
    c = Client()
    c.force_login(users["township_clerk"])
    r = c.post("/cases/inbox/", {"item_id": "abc"})
    assert r.status_code == 302


def test_marking_another_users_inbox_item_read_is_not_found(proc, users):
    from safetynet.cases.models import InboxItem
    from tests.api.conftest import ApiClient

    proc.accept()
    item = InboxItem.objects.filter(user=users["village_officer"]).first()
    assert item is not None  # the accepted case waits for the village officer's investigation
    other = ApiClient(users["township_clerk"]).post(f"/inbox/{item.pk}/read", {})
    assert other.status_code == 404 and other.json()["code"] == "inbox_item_not_found"
    item.refresh_from_db()
    assert item.read_at is None
    mine = ApiClient(users["village_officer"]).post(f"/inbox/{item.pk}/read", {})
    assert mine.status_code == 200
    item.refresh_from_db()
    assert item.read_at is not None
    assert ApiClient(users["village_officer"]).post(f"/inbox/{item.pk}/read", {}).status_code == 200
