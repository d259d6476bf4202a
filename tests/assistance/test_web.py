"""The assistance plan in the web: the plan page, suggestions accepted and declined, the
department's referral list and feedback form, the feedback file page, a bad input answered beside
its field with nothing written, the exports; and the pages each role may not open."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from safetynet.accounts.roles import Role
from safetynet.assistance.models import Feedback, Measure
from safetynet.assistance.services import accept_measure, generate_suggestions
from tests.api.conftest import ApiClient
from tests.assistance.conftest import entitle, person
from tests.conftest import GUANGHUA, VILLAGE_A, member

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_township_works_the_plan_in_the_web(poor, clerk):
    c = _as(clerk)
    page = c.get(f"/assistance/households/{poor.pk}/")
    assert page.status_code == 200 and "尚无帮扶措施" in page.content.decode()
    assert "帮扶计划" in c.get(f"/households/{poor.pk}/").content.decode()
    r = c.post(f"/assistance/households/{poor.pk}/suggest/", follow=True)
    html = r.content.decode()
    assert "已按规则生成 7 条帮扶建议" in html and "参保资助" in html and "国办发〔2021〕42号" in html
    emp = Measure.objects.get(kind="employment")
    r = c.post(f"/assistance/measures/{emp.pk}/decline/", {"reason": ""})
    assert r.status_code == 400 and "请填写不予实施的理由" in r.content.decode()
    assert Measure.objects.get(pk=emp.pk).status == "suggested"
    c.post(f"/assistance/measures/{emp.pk}/decline/", {"reason": "已外出务工"})
    assert Measure.objects.get(pk=emp.pk).status == "declined"
    edu = Measure.objects.get(kind="education_aid")
    r = c.post(
        f"/assistance/measures/{edu.pk}/accept/",
        {"department": "education", "amount": "abc", "description": ""},
    )
    assert r.status_code == 400 and "金额应为数字" in r.content.decode()
    assert Measure.objects.get(pk=edu.pk).status == "suggested"
    r = c.post(
        f"/assistance/measures/{edu.pk}/accept/",
        {"department": "education", "amount": "1000", "description": "寄宿生生活费补助"},
    )
    assert r.status_code == 302
    edu.refresh_from_db()
    assert (edu.status, str(edu.amount), edu.description) == ("referred", "1000.00", "寄宿生生活费补助")
    # A charity referral, then a measure for no member of the household refused beside its field.
    r = c.post(f"/assistance/households/{poor.pk}/measures/", {"kind": "charity", "charity_name": ""})
    assert r.status_code == 400 and "慈善帮扶须写明慈善组织名称" in r.content.decode()
    r = c.post(f"/assistance/households/{poor.pk}/measures/", {"kind": "skills", "person": "999999"})
    assert r.status_code == 400 and "该人员不是本户现有成员" in r.content.decode()
    r = c.post(
        f"/assistance/households/{poor.pk}/measures/",
        {"kind": "charity", "charity_name": "乡宁县慈善总会", "person": str(person(poor, "赵小雨").pk)},
    )
    assert r.status_code == 302
    ch = Measure.objects.get(kind="charity")
    r = c.post(
        f"/assistance/measures/{ch.pk}/feedback/",
        {"status": "done", "on": "2026-05-31", "amount": "500", "note": "助学金500元"},
    )
    assert r.status_code == 302
    ch.refresh_from_db()
    assert (ch.status, ch.charity_gave) == ("done", "助学金500元")
    listing = c.get("/assistance/", {"kind": "education_aid"}).content.decode()
    assert f">{edu.pk}<" in listing and "共 1 条" in listing


def test_liaison_sees_its_referrals_and_reports_back(poor, clerk, yibao, jiaoyu):
    made = generate_suggestions(user=clerk, household=poor)
    prem = next(m for m in made if m.kind == "premium_subsidy")
    edu = next(m for m in made if m.kind == "education_aid")
    accept_measure(user=clerk, measure=prem)
    accept_measure(user=clerk, measure=edu)
    med = _as(yibao)
    html = med.get("/assistance/").content.decode()
    assert "转介清单" in html and "共 1 条" in html and "赵*柱" in html
    assert med.get(f"/assistance/measures/{edu.pk}/").status_code == 404
    assert med.get(f"/assistance/households/{poor.pk}/").status_code == 404
    r = med.post(f"/assistance/measures/{edu.pk}/feedback/", {"status": "done"})
    assert r.status_code == 404 and not Feedback.objects.exists()
    r = med.post(
        f"/assistance/measures/{prem.pk}/feedback/", {"status": "declined", "on": "2026-05-31", "note": ""}
    )
    assert r.status_code == 400 and "不予实施须写明理由" in r.content.decode()
    r = med.post(f"/assistance/measures/{prem.pk}/feedback/", {"status": "in_progress", "on": "2026-05-31"})
    assert r.status_code == 302
    assert Measure.objects.get(pk=prem.pk).status == "in_progress"
    assert "提交反馈" in _as(jiaoyu).get(f"/assistance/measures/{edu.pk}/").content.decode()
    page = med.get("/assistance/feedback-files/")
    assert page.status_code == 200 and "措施编号" in page.content.decode()
    bad = f"措施编号,办理状态,办理日期\n{prem.pk},已完成,2026-05-31\n{edu.pk},已完成,2026-05-31\n"
    r = med.post("/assistance/feedback-files/upload/", {"file": SimpleUploadedFile("f.csv", bad.encode())})
    assert (
        r.status_code == 400
        and "整个文件" in r.content.decode()
        and "未转介给县医疗保障局" in r.content.decode()
    )
    assert Measure.objects.get(pk=prem.pk).status == "in_progress"
    good = f"措施编号,办理状态,办理日期\n{prem.pk},已完成,2026-05-31\n"
    r = med.post("/assistance/feedback-files/upload/", {"file": SimpleUploadedFile("f.csv", good.encode())})
    assert r.status_code == 302
    assert Measure.objects.get(pk=prem.pk).status == "done"
    assert (
        med.get("/assistance/feedback-files/template.csv")
        .content.decode("utf-8-sig")
        .startswith("措施编号,办理状态")
    )


def test_pages_closed_to_roles_without_them(poor, clerk, make_user):
    officer = _as(make_user(Role.VILLAGE_OFFICER, VILLAGE_A))
    assert officer.get(f"/assistance/households/{poor.pk}/").status_code == 200
    assert "按规则生成帮扶建议" not in officer.get(f"/assistance/households/{poor.pk}/").content.decode()
    assert officer.post(f"/assistance/households/{poor.pk}/suggest/").status_code == 403
    assert not Measure.objects.exists()
    other = _as(make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_gh"))
    assert other.get(f"/assistance/households/{poor.pk}/").status_code == 404
    assert other.get("/assistance/feedback-files/").status_code == 404
    assert _as(make_user(Role.FINANCE, "141029")).get("/assistance/").status_code == 404
    assert _as(clerk).get("/assistance/exports/premium-subsidy.csv").status_code == 403
    county = _as(make_user(Role.COUNTY_CIVIL, "141029"))
    page = county.get("/assistance/").content.decode()
    assert "住建六类重点对象名单" in page
    r = county.get("/assistance/exports/housing-key-groups.csv", {"on": "2026-06-01"})
    assert r.status_code == 200 and "赵铁柱" in r.content.decode("utf-8-sig")


def test_township_edits_a_referred_measure_before_the_department_starts(poor, clerk, yibao):
    made = generate_suggestions(user=clerk, household=poor)
    prem = next(m for m in made if m.kind == "premium_subsidy")
    accept_measure(user=clerk, measure=prem)
    c = _as(clerk)
    assert "保存修改" in c.get(f"/assistance/measures/{prem.pk}/").content.decode()
    r = c.post(
        f"/assistance/measures/{prem.pk}/edit/", {"department": "medical", "amount": "-1", "description": ""}
    )
    assert r.status_code == 400 and "金额不能为负数" in r.content.decode()
    r = c.post(
        f"/assistance/measures/{prem.pk}/edit/",
        {"department": "medical", "amount": "350", "description": "全年"},
    )
    assert r.status_code == 302
    prem.refresh_from_db()
    assert str(prem.amount) == "350.00"
    _as(yibao).post(
        f"/assistance/measures/{prem.pk}/feedback/", {"status": "in_progress", "on": "2026-05-31"}
    )
    r = c.post(
        f"/assistance/measures/{prem.pk}/edit/", {"department": "medical", "amount": "1", "description": ""}
    )
    assert r.status_code == 409
    prem.refresh_from_db()
    assert str(prem.amount) == "350.00"


def test_the_referral_list_reads_a_constant_number_of_queries(
    poor, clerk, yibao, make_household, django_assert_max_num_queries
):
    def refer(hh):
        for m in generate_suggestions(user=clerk, household=hh):
            if m.kind == "premium_subsidy":
                accept_measure(user=clerk, measure=m)

    refer(poor)
    api = ApiClient(yibao)
    with django_assert_max_num_queries(12) as small:
        assert api.get("/referrals").json()["count"] == 3
    for i in range(4):
        hh = make_household(VILLAGE_A, members=[member("head", name="郑" + "甲乙丙丁"[i])])
        entitle(hh)
        refer(hh)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api.get("/referrals").json()["count"] == 7
