"""巡访探视: a visit recorded whole or not at all, a risk raising a lead with the visit as evidence,
photos encrypted at rest, the list of visits due by category interval, scoped role by role."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from safetynet.cases.models import Lead
from safetynet.core.errors import NotFound, PermissionDenied, ValidationFailed
from safetynet.visits import selectors, services
from safetynet.visits.models import CHECKLIST, Visit, VisitPhoto
from tests.api.conftest import ApiClient
from tests.conftest import CHANGNING, VILLAGE_A, VILLAGE_C, member
from tests.rosters.conftest import open_row

pytestmark = pytest.mark.django_db
D = dt.date
ALL_OK = dict.fromkeys(CHECKLIST, "ok")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def homes(make_household, today, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tekun = make_household(VILLAGE_A, members=[member("head", name="孤老")])
    open_row(tekun, D(2026, 1, 1), "tekun", "1500")
    dibao = make_household(
        VILLAGE_A, members=[member("head", name="王大山"), member("spouse", name="李秀英")]
    )
    open_row(dibao, D(2026, 5, 1), "dibao", "600")
    other = make_household(VILLAGE_C, members=[member("head", name="刘一")])
    open_row(other, D(2026, 1, 1), "dibao", "500")
    return {"tekun": tekun, "dibao": dibao, "other": other}


@pytest.fixture
def officer(make_user):
    return make_user(Role.VILLAGE_OFFICER, VILLAGE_A)


def _visit(officer, household, **kw):
    args = {
        "user": officer,
        "household": household,
        "visited_on": D(2026, 5, 30),
        "seen": [household.head_id],
        "checklist": ALL_OK,
        **kw,
    }
    return services.record_visit(**args)


def test_the_due_list_follows_the_interval_of_each_category(homes, officer):
    due = {d.row.household_id: d for d in selectors.due_list(officer)}
    assert set(due) == {homes["tekun"].pk, homes["dibao"].pk}  # 刘一 is in another township
    tekun = due[homes["tekun"].pk]
    assert (tekun.interval_days, tekun.due_on, tekun.status) == (30, D(2026, 1, 31), "overdue")
    dibao = due[homes["dibao"].pk]
    assert (dibao.interval_days, dibao.due_on, dibao.status) == (90, D(2026, 7, 30), "ok")
    _visit(officer, homes["tekun"], visited_on=D(2026, 5, 28))
    tekun = next(d for d in selectors.due_list(officer) if d.row.household_id == homes["tekun"].pk)
    assert (tekun.last_visit, tekun.due_on, tekun.status) == (D(2026, 5, 28), D(2026, 6, 27), "ok")


def test_a_tekun_member_in_a_care_institution_is_visited_less_often(homes, officer):
    from safetynet.audit.services import SYSTEM  # noqa: PLC0415
    from safetynet.entitlements.services import set_support_mode  # noqa: PLC0415

    tekun = homes["tekun"]
    set_support_mode(
        household=tekun,
        person_id=tekun.head_id,
        mode="centralised",
        on=D(2026, 3, 1),
        actor=SYSTEM,
        reason="入住敬老院",
    )
    due = next(d for d in selectors.due_list(officer) if d.row.household_id == tekun.pk)
    # never visited: counted from the start of the row in force, with the 集中供养 interval
    assert (due.interval_days, due.due_on) == (90, D(2026, 5, 30))
    set_support_mode(
        household=tekun,
        person_id=tekun.head_id,
        mode="dispersed",
        on=D(2026, 4, 1),
        actor=SYSTEM,
        reason="回家居住",
    )
    due = next(d for d in selectors.due_list(officer) if d.row.household_id == tekun.pk)
    assert (due.interval_days, due.due_on) == (30, D(2026, 5, 1))


def test_a_visit_that_finds_a_risk_raises_a_grassroots_lead_with_the_visit_as_evidence(homes, officer):
    items = {**ALL_OK, "medical": "risk"}
    visit = _visit(
        officer, homes["dibao"], checklist=items, notes="户主突发重病住院，医疗支出大", risk_found=True
    )
    lead = Lead.objects.get(pk=visit.lead_id)
    assert (lead.channel, lead.household_id) == ("grassroots", homes["dibao"].pk)
    assert lead.evidence["visit"] == visit.pk and lead.evidence["items"] == ["基本医疗有保障"]
    assert "突发重病" in lead.summary
    rec = AuditRecord.objects.get(action="visit.record")
    assert rec.changes["lead"] == [None, lead.pk] and rec.changes["risk_items"] == [None, ["基本医疗有保障"]]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"visited_on": D(2026, 6, 2)}, "visited_on"),
        ({"seen": []}, "seen"),
        ({"seen": [999999]}, "seen"),
        ({"checklist": {**ALL_OK, "food": ""}}, "checklist.food"),
        ({"checklist": {**ALL_OK, "wifi": "ok"}}, "checklist"),
        ({"risk_found": True, "notes": ""}, "notes"),
        ({"photos": [SimpleUploadedFile("a.gif", b"GIF89a...")]}, "photos"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(homes, officer, kw, field):
    before = (Visit.objects.count(), Lead.objects.count(), AuditRecord.objects.count())
    with pytest.raises(ValidationFailed) as err:
        _visit(officer, homes["dibao"], **kw)
    assert err.value.field == field
    assert (Visit.objects.count(), Lead.objects.count(), AuditRecord.objects.count()) == before


def test_photos_are_encrypted_at_rest_and_roles_are_enforced(homes, officer, make_user):
    visit = _visit(officer, homes["dibao"], photos=[SimpleUploadedFile("p.png", PNG)])
    photo = VisitPhoto.objects.get(visit=visit)
    with open(photo.file.path, "rb") as f:
        assert PNG not in f.read()  # ciphertext on disk
    assert photo.file.open("rb").read() == PNG
    with pytest.raises(NotFound):  # a household outside the officer's village
        _visit(officer, homes["other"], seen=[homes["other"].head_id])
    with pytest.raises(PermissionDenied):
        _visit(make_user(Role.REVIEW_MEMBER, CHANGNING), homes["dibao"])
    _visit(make_user(Role.TOWNSHIP_CLERK, CHANGNING), homes["dibao"])  # the township's clerk may


def test_the_api_records_lists_and_refuses_by_field(homes, officer):
    api = ApiClient(officer)
    url = f"/api/v1/households/{homes['dibao'].pk}/visits"
    form = {
        "visited_on": "2026-05-31",
        "seen": str(homes["dibao"].head_id),
        "checklist": json.dumps({**ALL_OK, "housing": "risk"}),
        "notes": "房屋漏雨",
        "risk_found": "true",
    }
    r = api.client.post(url, {**form, "photos": io.BytesIO(PNG)}, **api.headers)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["risk_found"] and body["lead"] and body["photos"] == 1
    bad = api.client.post(url, {**form, "checklist": "not json"}, **api.headers)
    assert (bad.status_code, bad.json()["field"]) == (400, "checklist")
    assert [v["id"] for v in api.get(f"/households/{homes['dibao'].pk}/visits").json()] == [body["id"]]
    due = api.get("/visits/due").json()
    assert [d["household_id"] for d in due] == [homes["tekun"].pk, homes["dibao"].pk]
    assert api.get(f"/households/{homes['other'].pk}/visits").status_code == 404


def test_the_pages_due_record_detail_and_the_officers_tasks(homes, officer):
    c = Client()
    c.force_login(officer)
    html = c.get(reverse("visits:due")).content.decode()
    assert "已逾期" in html and f"户{homes['tekun'].pk}" in html
    tasks = c.get(reverse("cases:tasks")).content.decode()
    assert 'id="tasks-visits"' in tasks and "1 户已逾期" in tasks
    url = reverse("visits:record", args=[homes["tekun"].pk])
    post = {"visited_on": "2026-05-31", "seen": [homes["tekun"].head_id], "notes": "", "risk_found": "0"}
    r = c.post(url, post)
    assert r.status_code == 400 and 'id="err-checklist.food"' in r.content.decode()
    r = c.post(url, {**post, **{f"checklist.{k}": "ok" for k in CHECKLIST}})
    assert r.status_code == 302
    visit = Visit.objects.get(household=homes["tekun"])
    page = c.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "探访记录 2026-05-31" in page
    assert c.get(reverse("visits:record", args=[homes["other"].pk])).status_code == 404
