"""Web pages of the data exchange: a liaison's upload form (accepted, rejected whole with the errors
shown, valid rows only, repeated file, source not allowed), who cannot reach it, and a household's
economic-status verification page (declared vs verified, reach, no plaintext ID)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from safetynet.verification import storage
from safetynet.verification.models import Upload, VerificationReport
from tests.conftest import PASSWORD, VILLAGE_C, member, new_id
from tests.verification.conftest import AS_OF, csv_bytes, upload

pytestmark = pytest.mark.django_db

MED_HEADER = ["id_number", "name", "total_cost_12m", "self_paid_12m", "as_of"]
BAD_ID = "141029197005170000"  # 18 digits, wrong check digit


def med_rows(ids):
    return [[i, "张三", "30000", "12000", AS_OF] for i in ids]


def logged_in(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def post_file(c: Client, source: str, data: bytes, name: str = "yibao.csv", **fields):
    return c.post(
        reverse("verification:uploads"),
        {"source": source, "encoding": "auto", "file": SimpleUploadedFile(name, data, "text/csv"), **fields},
        follow=True,
    )


def final_upload_page(response) -> int:
    """The pk of the upload page the form redirected to."""
    assert response.redirect_chain, "the form did not redirect to the upload page"
    match = response.resolver_match
    assert match.view_name == "verification:upload"
    return match.kwargs["pk"]


def test_liaison_uploads_a_csv_and_sees_it_accepted(liaison):
    c = logged_in(liaison)
    page = c.get(reverse("verification:uploads"))
    assert page.status_code == 200
    assert '<option value="medical">医保' in page.content.decode()
    assert 'value="financial"' not in page.content.decode()  # only the liaison's sources are offered

    r = post_file(c, "medical", csv_bytes(MED_HEADER, med_rows([new_id(), new_id()])))
    assert r.status_code == 200
    u = Upload.objects.get(pk=final_upload_page(r))
    assert u.status == "accepted" and u.rows_loaded == 2 and u.uploaded_by == liaison
    html = r.content.decode()
    assert "已入库" in html and "已导入2行。" in html and "导入 2 行" in html
    assert "该文件此前已上传入库" not in html
    listing = c.get(reverse("verification:uploads")).content.decode()
    assert "yibao.csv" in listing and reverse("verification:upload", args=[u.pk]) in listing


def test_file_with_a_bad_id_row_is_rejected_whole_with_the_error_shown(liaison):
    c = logged_in(liaison)
    r = post_file(c, "medical", csv_bytes(MED_HEADER, med_rows([new_id(), BAD_ID, new_id()])))
    assert r.status_code == 200
    u = Upload.objects.get(pk=final_upload_page(r))
    assert u.status == "rejected" and u.rows_loaded == 0 and not u.data_path
    assert not list(storage.sub("medical").glob("*.parquet"))  # nothing loaded
    html = r.content.decode()
    assert "已拒收" in html and "已整体拒收，未导入任何数据" in html
    # row 3 of the file (the header is row 1), the column by its Chinese label, the reason in Chinese
    assert (
        '<td data-label="行">3</td><td data-label="列">身份证号码（id_number）</td><td data-label="原因">身份证号码校验位错误，请核对</td>'
        in html
    )
    assert BAD_ID not in html  # the ID is not echoed back


def test_valid_rows_only_loads_the_rest(liaison):
    c = logged_in(liaison)
    data = csv_bytes(MED_HEADER, med_rows([new_id(), BAD_ID, new_id()]))
    r = post_file(c, "medical", data, valid_only="on")
    u = Upload.objects.get(pk=final_upload_page(r))
    assert u.status == "partial" and u.rows_loaded == 2 and u.error_count == 1
    assert storage.absolute(u.data_path).exists()
    html = r.content.decode()
    assert "已入库（仅有效行）" in html and "已导入有效行2行；1行有错误未导入" in html
    assert '<td data-label="行">3</td><td data-label="列">身份证号码（id_number）</td>' in html


def test_reuploading_the_same_file_changes_nothing_and_says_so(liaison):
    c = logged_in(liaison)
    data = csv_bytes(MED_HEADER, med_rows([new_id(), new_id()]))
    first = final_upload_page(post_file(c, "medical", data))
    again = post_file(c, "medical", data, name="renamed.csv")
    assert final_upload_page(again) == first
    assert Upload.objects.count() == 1 and Upload.objects.get().filename == "yibao.csv"
    assert len(list(storage.sub("medical").glob("*.parquet"))) == 1
    assert "该文件此前已上传入库（内容相同），本次未作任何更改。" in again.content.decode()


def test_liaison_not_allowed_for_a_source_is_refused(liaison):
    c = logged_in(liaison)
    fin = csv_bytes(
        ["id_number", "name", "institution", "kind", "balance", "as_of"],
        [[new_id(), "张三", "农商行", "deposit", "10", AS_OF]],
    )
    r = post_file(c, "financial", fin, name="bank.csv")
    assert not r.redirect_chain and r.status_code == 403  # a refusal is never answered 200
    assert "您无权上传“金融资产”数据。" in r.content.decode()
    assert not Upload.objects.exists()
    assert not list(storage.sub("financial").glob("*.parquet"))


def test_others_cannot_upload_or_see_uploads(users, liaison):
    u = upload(liaison, "medical", csv_bytes(MED_HEADER, med_rows([new_id()]))).upload
    for role in ("township_clerk", "auditor", "dept_liaison"):  # dept_liaison: no source assigned
        c = logged_in(users[role])
        assert c.get(reverse("verification:uploads")).status_code in (403, 404), role
        r = c.post(
            reverse("verification:uploads"),
            {"source": "medical", "file": SimpleUploadedFile("x.csv", b"id_number\n", "text/csv")},
        )
        assert r.status_code in (403, 404), role
        assert c.get(reverse("verification:upload", args=[u.pk])).status_code == 404, role
    assert Upload.objects.count() == 1
    anonymous = Client().get(reverse("verification:uploads"))
    assert anonymous.status_code == 302 and reverse("web:login") in anonymous["Location"]


@pytest.fixture
def verified(admin, small_register):
    """Vehicle and bank records for household r (declared financial assets 2000)."""
    reg = small_register
    upload(
        admin,
        "vehicle",
        csv_bytes(
            ["id_number", "name", "plate", "kind", "value", "as_of"],
            [[reg["r_head"], "王建国", "晋L1", "car", "86000", AS_OF]],
        ),
    )
    upload(
        admin,
        "financial",
        csv_bytes(
            ["id_number", "name", "institution", "kind", "balance", "as_of"],
            [[reg["r_spouse"], "李秀英", "农商行", "deposit", "500", AS_OF]],
        ),
    )
    return reg


def test_household_page_shows_declared_and_verified_values(verified, users):
    c = logged_in(users["township_clerk"])
    url = reverse("verification:household", args=[verified["r"].pk])
    page = c.get(url)
    assert page.status_code == 200 and "申报与核对结果对照" not in page.content.decode()

    refused = c.post(url, {})  # no consent confirmed
    assert "请确认该户已签署承诺授权书。" in refused.content.decode()
    assert not VerificationReport.objects.exists()

    r = c.post(url, {"consent": "on"})
    assert r.status_code == 200 and VerificationReport.objects.count() == 1
    html = r.content.decode()
    assert "申报与核对结果对照" in html
    assert (
        '<td data-label="申报">2000.00</td><td data-label="核对">500.00</td>\n<td data-label="认定采用">申报值</td>'
        in html
    )  # declared 2000 > verified 500
    assert "小型汽车评估价值 86,000.00 元（来自车船登记，截至2026-05-01）" in html
    assert "核对值" in html  # the undeclared vehicle: the verified value is used
    assert "王*国" in html and "王建国" not in html  # names masked
    for plain in (verified["r_head"], verified["r_spouse"]):
        assert plain not in html

    again = c.get(url).content.decode()  # the latest report is shown on return
    assert (
        '<td data-label="申报">2000.00</td><td data-label="核对">500.00</td>\n<td data-label="认定采用">申报值</td>'
        in again
    )
    assert verified["r_head"] not in again and verified["r_spouse"] not in again


def test_household_page_answers_404_outside_the_clerks_area(verified, users, make_household):
    outside = make_household(VILLAGE_C, members=[member("head", name="孙立", id_number=new_id())])
    c = logged_in(users["township_clerk"])  # 昌宁镇; VILLAGE_C is in 光华镇
    url = reverse("verification:household", args=[outside.pk])
    assert c.get(url).status_code == 404
    assert c.post(url, {"consent": "on"}).status_code == 404
    assert c.get(reverse("verification:household", args=[999_999])).status_code == 404
    assert not VerificationReport.objects.exists()
    liaison = logged_in(users["dept_liaison"])  # a liaison reaches no household
    assert liaison.get(reverse("verification:household", args=[verified["r"].pk])).status_code == 404
