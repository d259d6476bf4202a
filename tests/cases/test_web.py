"""The procedure's web pages: public application and status, worklists, the case page at each
step, the printable forms and the notice as HTML and PDF."""

from __future__ import annotations

import re

from django.test import Client

from tests.conftest import PASSWORD, VILLAGE_A


def login(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_the_public_pages_need_no_account(county, clock):
    c = Client(REMOTE_ADDR="10.1.1.1")
    page = c.get("/apply/").content.decode()
    assert "网上申请社会救助" in page and "东关村" in page
    from tests.conftest import new_id

    number = new_id()
    r = c.post(
        "/apply/",
        {
            "name": "钱小红",
            "id_number": number,
            "village": VILLAGE_A,
            "phone": "13800001111",
            "summary": "困难",
        },
    )
    body = r.content.decode()
    assert r.status_code == 200 and "XN-L-" in body
    reference = body.split('id="reference">')[1].split("<")[0]
    r = c.post("/apply/status/", {"reference": reference, "id_last4": number[-4:]})
    assert "等待乡镇受理" in r.content.decode()
    assert number not in r.content.decode() and "钱小红" not in r.content.decode()
    bad = c.post(
        "/apply/", {"name": "钱小红", "id_number": "123", "village": VILLAGE_A, "phone": "1", "summary": "x"}
    )
    assert bad.status_code == 400 and "field-error" in bad.content.decode()


def test_the_case_page_shows_the_form_of_its_step_and_errors_beside_fields(proc, users):
    proc.accept()
    clerk = login(users["township_clerk"])
    assert "开始入户调查" in clerk.get(f"/cases/{proc.case_id}/").content.decode()
    proc.fire("village_officer", "start_investigation")
    officer = login(users["village_officer"])
    page = officer.get(f"/cases/{proc.case_id}/").content.decode()
    assert "入户调查记录" in page and "承诺授权书" in page
    r = officer.post(
        f"/cases/{proc.case_id}/do/transition/", {"name": "start_verification", "version": proc.version}
    )
    assert r.status_code == 400 and "入户调查记录未填写" in r.content.decode()
    assert "打印承诺授权书" in page
    for path in (
        f"/cases/{proc.case_id}/print/consent/",
        f"/cases/{proc.case_id}/print/investigation/",
        "/cases/print/consent/",
    ):
        assert officer.get(path).status_code == 200


def test_the_notice_is_an_html_page_and_a_pdf_with_a_chinese_font(proc, users):
    proc.to_decision()
    proc.decide()
    c = login(users["township_clerk"])
    html = c.get(f"/cases/{proc.case_id}/notice/").content.decode()
    assert "王*山" in html and "王大山" not in html and proc.household.head.id_number not in html
    r = c.get(f"/cases/{proc.case_id}/notice.pdf")
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert b"NotoSansCJK" in r.content or b"Noto" in r.content


def test_worklists_dashboard_and_inbox_render(proc, users):
    proc.accept()
    for role, path in (
        ("township_clerk", "/cases/"),
        ("township_clerk", "/cases/leads/"),
        ("county_civil", "/cases/dashboard/"),
        ("village_officer", "/cases/inbox/"),
        ("county_agri", "/cases/?monitoring=1"),
    ):
        r = login(users[role]).get(path)
        assert r.status_code == 200, (role, path)
    assert proc.data["reference"] in login(users["township_clerk"]).get("/cases/").content.decode()
    assert "待开始入户调查" in login(users["village_officer"]).get("/cases/inbox/").content.decode()


def test_a_case_outside_the_area_is_a_404(proc, users, make_user):
    from safetynet.accounts.roles import Role
    from tests.conftest import GUANGHUA

    proc.accept()
    other = make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_guanghua")
    assert login(other).get(f"/cases/{proc.case_id}/").status_code == 404


def test_an_unknown_transition_posted_to_the_form_is_a_400_with_a_message(proc, users):
    proc.accept()
    r = login(users["township_clerk"]).post(
        f"/cases/{proc.case_id}/do/transition/", {"name": "fly_to_the_moon", "version": proc.version}
    )
    assert r.status_code == 400 and "未知的办理操作" in r.content.decode()
    api = proc.api["township_clerk"].post(
        f"/cases/{proc.case_id}/transitions/fly_to_the_moon", {"version": proc.version}
    )
    assert api.status_code == 400 and set(api.json()) == {"code", "message", "field"}


def test_a_refused_step_in_the_web_is_a_403_never_a_200(proc, users):
    proc.accept()
    proc.fire("village_officer", "start_investigation")
    # a review member may see the case but not investigate
    r = login(users["review_member"]).post(
        f"/cases/{proc.case_id}/do/transition/", {"name": "start_verification", "version": proc.version}
    )
    assert r.status_code == 403 and "无权" in r.content.decode()


def test_the_investigation_form_records_the_risk_judgement_and_a_one_person_application(proc, users):
    proc.accept()
    proc.fire("village_officer", "start_investigation")
    officer = login(users["village_officer"])
    spouse = proc.household.memberships.get(relation="spouse").person
    form = {
        "version": proc.version,
        "visited_on": proc.clock.day.isoformat(),
        "investigators": "张干事、刘专干",
        "hardship_causes": ["illness"],
        "risk_judgement": "yes",
        "risk_judgement_reason": "",
        "single_person_applicant": str(spouse.pk),
    }
    r = officer.post(f"/cases/{proc.case_id}/do/investigation/", form)
    assert r.status_code == 400 and "请写明风险研判的理由" in r.content.decode()
    form["risk_judgement_reason"] = "配偶重病，户主务工收入不稳"
    r = officer.post(f"/cases/{proc.case_id}/do/investigation/", form)
    assert r.status_code == 302
    proc.household.refresh_from_db()
    assert proc.household.risk_judgement is True
    assert proc.household.single_person_applicant_id == spouse.pk
    page = officer.get(f"/cases/{proc.case_id}/").content.decode()
    assert "有返贫致贫风险" in page


def test_the_case_page_says_categories_marks_and_steps_in_chinese_not_codes(proc, users):
    import re

    proc.to_decision()
    proc.decide()
    page = login(users["township_clerk"]).get(f"/cases/{proc.case_id}/").content.decode()
    text = re.sub(r"<[^>]+>", " ", page)  # what a person reads, not attribute values
    assert "低保" in text and "已受理" in text and "公示" in text
    for code in ("dibao", "edge_prone", "township_decision", "decide_with_notice", "→ accepted"):
        assert code not in text, code


def test_the_parameter_page_shows_units_in_chinese(users):
    page = login(users["county_civil"]).get("/policy/parameters/").content.decode()
    assert "元/月" in page and "yuan/month" not in page


def test_the_lead_worklist_is_paged_with_its_count_and_the_size_the_user_picks(users, county):
    from safetynet.cases import services as case_services
    from tests.conftest import new_id

    for i in range(45):
        case_services.file_lead(
            user=users["village_officer"],
            channel="grassroots",
            village_code=VILLAGE_A,
            summary=f"走访发现困难{i}",
            subject_name="孙某某",
            subject_id_number=new_id(),
        )
    clerk = login(users["township_clerk"])
    first = clerk.get("/cases/leads/?status=new").content.decode()
    assert "共 45 条，第 1/3 页" in first and first.count('data-label="编号"') == 20
    # the other sizes link back to the first page and keep the conditions; the current one is marked
    sizes = re.search(r'<p class="page-sizes[^"]*">(.*?)</p>', first).group(1)
    assert '<span aria-current="true">20</span>' in sizes
    assert '<a href="?status=new&amp;per_page=50">50</a>' in sizes
    last = clerk.get("/cases/leads/?page=3").content.decode()
    assert "第 3/3 页" in last and last.count('data-label="编号"') == 5
    fifty = clerk.get("/cases/leads/?per_page=50&page=1").content.decode()
    assert "共 45 条" in fifty and "第 1/" not in fifty and fifty.count('data-label="编号"') == 45
    assert '<span aria-current="true">50</span>' in fifty
    # a size not offered is not taken: the page stays bounded
    assert clerk.get("/cases/leads/?per_page=5000").content.decode().count('data-label="编号"') == 20
