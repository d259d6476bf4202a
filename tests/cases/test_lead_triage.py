"""Leads in batches from the worklist: assigned to a village officer whose village holds them, or
dismissed with one reason — all or nothing, one audit record per lead, the same permission as the
single dismissal; the assignment shows on the lead page, on the list and in the officer's 待办.
The same through the API, with errors naming their field."""

from __future__ import annotations

import pytest

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.cases import services
from safetynet.cases.models import InboxItem, Lead
from safetynet.cases.tasks_selectors import tasks_for
from safetynet.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.api.conftest import ApiClient
from tests.cases.test_web import login
from tests.conftest import GUANGHUA, VILLAGE_A, VILLAGE_B, VILLAGE_C, new_id


def _lead(user, village=VILLAGE_A, name="孙某某"):
    lead, _ = services.file_lead(
        user=user,
        channel="grassroots",
        village_code=village,
        summary="走访发现困难",
        subject_name=name,
        subject_id_number=new_id(),
    )
    return lead


@pytest.fixture
def leads(users):
    admin = users["admin"]
    return {
        "a1": _lead(admin, VILLAGE_A, "孙一"),
        "a2": _lead(admin, VILLAGE_A, "孙二"),
        "b": _lead(admin, VILLAGE_B, "孙三"),
        "c": _lead(admin, VILLAGE_C, "孙四"),
    }


def _audits(action):
    return list(AuditRecord.objects.filter(action=action).values_list("object_id", flat=True))


def test_a_clerk_assigns_leads_to_the_village_officer_each_audited_and_in_the_officers_tasks(
    leads, users, clock
):
    clerk, officer = users["township_clerk"], users["village_officer"]
    result = services.assign_leads(user=clerk, lead_ids=[leads["a1"].pk, leads["a2"].pk], officer=officer.pk)
    assert result.count == 2 and result.changed == 2
    for key in ("a1", "a2"):
        lead = Lead.objects.get(pk=leads[key].pk)
        assert lead.assigned_to == officer and lead.assigned_at is not None
    assert sorted(_audits("lead.assign")) == sorted([str(leads["a1"].pk), str(leads["a2"].pk)])
    assert InboxItem.objects.filter(user=officer, kind="lead", title__contains="2条线索").exists()
    groups = {g.key: g for g in tasks_for(officer, clock.day).groups}
    assert groups["assigned_leads"].total == 2
    assert {t.pk for t in groups["assigned_leads"].tasks} == {leads["a1"].pk, leads["a2"].pk}
    # the task clears once the lead is dismissed
    services.dismiss_lead(user=clerk, lead=leads["a1"], reason="已核实")
    assert {g.key: g.total for g in tasks_for(officer, clock.day).groups}["assigned_leads"] == 1


def test_assigning_again_to_the_same_officer_writes_nothing(leads, users):
    clerk, officer = users["township_clerk"], users["village_officer"]
    services.assign_leads(user=clerk, lead_ids=[leads["a1"].pk], officer=officer.pk)
    again = services.assign_leads(user=clerk, lead_ids=[leads["a1"].pk], officer=officer.pk)
    assert again.changed == 0 and len(_audits("lead.assign")) == 1


def test_a_lead_outside_the_officers_village_refuses_the_whole_batch(leads, users):
    clerk, officer = users["township_clerk"], users["village_officer"]  # officer of village A
    with pytest.raises(ValidationFailed) as err:
        services.assign_leads(user=clerk, lead_ids=[leads["a1"].pk, leads["b"].pk], officer=officer.pk)
    assert err.value.field == "officer" and leads["b"].reference in err.value.message
    assert "西关村" in err.value.message and "未作任何更改" in err.value.message
    assert not Lead.objects.filter(assigned_to__isnull=False).exists() and not _audits("lead.assign")


def test_an_officer_or_lead_outside_the_clerks_reach_is_not_found(leads, users, make_user):
    clerk = users["township_clerk"]  # 昌宁镇
    far_officer = make_user(Role.VILLAGE_OFFICER, VILLAGE_C, "officer_guanghua")
    with pytest.raises(NotFound) as err:
        services.assign_leads(user=clerk, lead_ids=[leads["a1"].pk], officer=far_officer.pk)
    assert err.value.field == "officer"
    with pytest.raises(NotFound) as err:
        services.assign_leads(
            user=clerk, lead_ids=[leads["a1"].pk, leads["c"].pk], officer=users["village_officer"].pk
        )
    assert err.value.field == "lead_ids"
    with pytest.raises(ValidationFailed) as err:
        services.assign_leads(user=clerk, lead_ids=[leads["a1"].pk], officer="")
    assert err.value.field == "officer"
    assert not Lead.objects.filter(assigned_to__isnull=False).exists()


def test_a_township_clerk_user_is_not_an_officer_leads_can_be_assigned_to(leads, users, make_user):
    other_clerk = make_user(Role.TOWNSHIP_CLERK, "141029100", "clerk_two")
    with pytest.raises(NotFound):
        services.assign_leads(user=users["township_clerk"], lead_ids=[leads["a1"].pk], officer=other_clerk.pk)


@pytest.mark.parametrize("role", [Role.VILLAGE_OFFICER, Role.AUDITOR, Role.COUNTY_CIVIL, Role.REVIEW_LEADER])
def test_roles_that_cannot_dismiss_a_lead_cannot_assign_or_dismiss_in_batches(role, leads, users):
    user = users[role.value]
    with pytest.raises(PermissionDenied):
        services.assign_leads(user=user, lead_ids=[leads["a1"].pk], officer=users["village_officer"].pk)
    with pytest.raises(PermissionDenied):
        services.dismiss_leads(user=user, lead_ids=[leads["a1"].pk], reason="无")


def test_batch_dismissal_needs_a_reason_and_is_all_or_nothing(leads, users):
    clerk = users["township_clerk"]
    ids = [leads["a1"].pk, leads["b"].pk]
    with pytest.raises(ValidationFailed) as err:
        services.dismiss_leads(user=clerk, lead_ids=ids, reason="  ")
    assert err.value.field == "reason"
    with pytest.raises(ValidationFailed) as err:
        services.dismiss_leads(user=clerk, lead_ids=[], reason="已核实")
    assert err.value.field == "lead_ids"
    services.dismiss_lead(user=clerk, lead=leads["b"], reason="重复")
    with pytest.raises(Conflict) as err:
        services.dismiss_leads(user=clerk, lead_ids=ids, reason="已核实")
    assert leads["b"].reference in err.value.message
    assert Lead.objects.get(pk=leads["a1"].pk).status == Lead.Status.NEW  # nothing half-written
    result = services.dismiss_leads(
        user=clerk, lead_ids=[leads["a1"].pk, leads["a2"].pk], reason="已有稳定收入"
    )
    assert result.count == 2
    assert set(
        Lead.objects.filter(pk__in=[leads["a1"].pk, leads["a2"].pk]).values_list("status", flat=True)
    ) == {"dismissed"}
    reasons = AuditRecord.objects.filter(action="lead.dismiss", reason="已有稳定收入")
    assert sorted(reasons.values_list("object_id", flat=True)) == sorted(
        [str(leads["a1"].pk), str(leads["a2"].pk)]
    )


# ---- the web -------------------------------------------------------------------------------------


def test_the_worklist_assigns_and_dismisses_ticked_leads_and_says_so(leads, users):
    clerk, officer = login(users["township_clerk"]), users["village_officer"]
    page = clerk.get("/cases/leads/").content.decode()
    assert 'id="lead-bulk"' in page and f'value="{officer.pk}"' in page
    assert f'name="lead_id" value="{leads["a1"].pk}"' in page and 'form="lead-bulk"' in page
    r = clerk.post(
        "/cases/leads/bulk/",
        {
            "action": "assign",
            "lead_id": [leads["a1"].pk, leads["a2"].pk],
            "officer": officer.pk,
            "query": "channel=grassroots",
        },
        follow=True,
    )
    html = r.content.decode()
    assert r.redirect_chain[-1][0] == "/cases/leads/?channel=grassroots"
    assert "已将2条线索分派给" in html and "东关村" in html
    assert html.count(f'data-label="分派给">{officer.username}（东关村）') == 2  # shown on the list
    lead_page = clerk.get(f"/cases/leads/{leads['a1'].pk}/").content.decode()
    assert 'id="lead-assigned"' in lead_page and officer.username in lead_page
    # a refusal is said, and nothing changes
    r = clerk.post(
        "/cases/leads/bulk/",
        {"action": "dismiss", "lead_id": [leads["a1"].pk, leads["b"].pk], "reason": ""},
        follow=True,
    )
    assert "请填写排除理由。" in r.content.decode()
    assert not Lead.objects.filter(status="dismissed").exists()
    r = clerk.post(
        "/cases/leads/bulk/",
        {"action": "dismiss", "lead_id": [leads["a1"].pk, leads["b"].pk], "reason": "已核实"},
        follow=True,
    )
    assert "已排除2条线索" in r.content.decode()
    assert Lead.objects.filter(status="dismissed").count() == 2


def test_the_bulk_form_asks_before_dismissing_and_is_not_offered_to_roles_that_cannot(leads, users):
    page = login(users["township_clerk"]).get("/cases/leads/").content.decode()
    assert 'value="dismiss" class="btn btn-outline-danger" data-confirm="确定排除所选线索' in page
    county_agri = login(users["county_agri"]).get("/cases/leads/").content.decode()  # raises leads only
    assert 'id="lead-bulk"' not in county_agri and 'name="lead_id"' not in county_agri
    r = login(users["county_agri"]).post(
        "/cases/leads/bulk/", {"action": "dismiss", "lead_id": [leads["a1"].pk], "reason": "x"}
    )
    assert r.status_code == 403 and Lead.objects.get(pk=leads["a1"].pk).status == "new"


# ---- the API -------------------------------------------------------------------------------------


def test_the_api_assigns_and_dismisses_in_batches(leads, users):
    api, officer = ApiClient(users["township_clerk"]), users["village_officer"]
    r = api.post("/leads/assign", {"lead_ids": [leads["a1"].pk, leads["a2"].pk], "officer": officer.pk})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["count"] == 2 and body["changed"] == 2
    assert {i["assigned_to"] for i in body["items"]} == {officer.username}
    listed = api.get("/leads").json()["items"]
    assert {i["assigned_to"] for i in listed if i["id"] in (leads["a1"].pk, leads["a2"].pk)} == {
        officer.username
    }
    r = api.post("/leads/dismiss", {"lead_ids": [leads["a1"].pk, leads["b"].pk], "reason": "已核实"})
    assert r.status_code == 200 and {i["status"] for i in r.json()["items"]} == {"dismissed"}


@pytest.mark.parametrize(
    ("path", "body", "status", "code", "field"),
    [
        ("/leads/assign", {"lead_ids": [], "officer": 1}, 400, None, "lead_ids"),
        ("/leads/assign", {"lead_ids": ["x"], "officer": 1}, 400, None, "lead_ids.0"),
        (
            "/leads/assign",
            {"lead_ids": ["a1", "b"], "officer": "officer"},
            400,
            "lead_outside_officer_reach",
            "officer",
        ),
        ("/leads/assign", {"lead_ids": ["a1"], "officer": "far"}, 404, "officer_not_found", "officer"),
        ("/leads/assign", {"lead_ids": ["a1", "c"], "officer": "officer"}, 404, "lead_not_found", "lead_ids"),
        ("/leads/dismiss", {"lead_ids": ["a1"]}, 400, None, "reason"),
        ("/leads/dismiss", {"lead_ids": ["a1"], "reason": " "}, 400, "invalid", "reason"),
    ],
)
def test_the_batch_api_names_the_field_of_each_error(
    path, body, status, code, field, leads, users, make_user
):
    far = make_user(Role.VILLAGE_OFFICER, VILLAGE_C, "officer_far")
    ids = {"officer": users["village_officer"].pk, "far": far.pk, **{k: v.pk for k, v in leads.items()}}
    body = {
        k: ([ids.get(x, x) for x in v] if isinstance(v, list) else ids.get(v, v)) for k, v in body.items()
    }
    r = ApiClient(users["township_clerk"]).post(path, body)
    assert r.status_code == status, r.json()
    assert r.json()["field"] == field and r.json()["message"]
    if code:
        assert r.json()["code"] == code
    assert not Lead.objects.filter(assigned_to__isnull=False).exists()
    assert not Lead.objects.filter(status="dismissed").exists()


def test_other_townships_clerk_cannot_touch_these_leads_through_the_api(leads, users, make_user):
    other = make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_gh")
    r = ApiClient(other).post("/leads/dismiss", {"lead_ids": [leads["a1"].pk], "reason": "x"})
    assert r.status_code == 404 and r.json()["field"] == "lead_ids"
    assert Lead.objects.get(pk=leads["a1"].pk).status == "new"
