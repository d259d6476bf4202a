"""The exchange API: multipart uploads, idempotence, rejections with every row error, and who
may upload (liaisons for their source, administrators); liaisons see no households."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from safetynet.accounts.services import issue_token
from tests.conftest import new_id
from tests.verification.conftest import AS_OF, FIN_HEADER, csv_bytes, fin_rows

pytestmark = pytest.mark.django_db
MED = ["id_number", "name", "total_cost_12m", "self_paid_12m", "as_of"]


def post(user, source, data: bytes, name="f.csv", **form):
    c = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=user)}"} if user else {}
    return c.post(
        f"/api/v1/exchange/{source}/uploads", {"file": SimpleUploadedFile(name, data), **form}, **headers
    )


def get(user, path):
    return Client().get("/api/v1" + path, HTTP_AUTHORIZATION=f"Bearer {issue_token(user=user)}")


def test_liaison_uploads_their_source_and_reupload_is_a_no_op(liaison):
    data = csv_bytes(MED, [[new_id(), "张三", "30000", "22000", AS_OF]])
    first = post(liaison, "medical", data)
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "accepted" and first.json()["rows_loaded"] == 1
    again = post(liaison, "medical", data)
    assert (
        again.status_code == 200
        and again.json()["repeated"] is True
        and again.json()["id"] == first.json()["id"]
    )
    listed = get(liaison, "/exchange/uploads").json()
    assert [u["id"] for u in listed] == [first.json()["id"]]


def test_rejected_upload_answers_422_with_every_row_error(admin):
    r = post(admin, "financial", csv_bytes(FIN_HEADER, fin_rows(["bad", new_id()]) + fin_rows(["x"])))
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "file_rejected" and body["upload"]["rows_loaded"] == 0
    assert [e["row"] for e in body["upload"]["errors"]] == [2, 4]
    errs = get(admin, f"/exchange/uploads/{body['upload']['id']}/errors.csv")
    assert errs.status_code == 200 and b"row,column,reason" in b"".join(errs.streaming_content)


def test_valid_only_via_the_api(admin):
    r = post(admin, "financial", csv_bytes(FIN_HEADER, fin_rows(["bad", new_id()])), valid_only="true")
    assert r.status_code == 201 and r.json()["status"] == "partial" and r.json()["rows_loaded"] == 1


def test_gbk_declared_via_the_api(admin):
    data = csv_bytes(FIN_HEADER, [[new_id(), "张三", "农商行", "存款", "5", AS_OF]], "gbk")
    assert post(admin, "financial", data, encoding="utf-8").json()["code"] == "wrong_encoding"
    assert post(admin, "financial", data, encoding="gbk").status_code == 201


def test_who_may_upload(liaison, users):
    data = csv_bytes(FIN_HEADER, fin_rows([new_id()]))
    assert post(liaison, "financial", data).status_code == 403
    assert post(users["township_clerk"], "financial", data).status_code == 403
    assert post(users["county_civil"], "financial", data).status_code == 403
    assert post(None, "financial", data).status_code == 401
    assert post(users["admin"], "nonsense", data).status_code == 404


def test_liaison_sees_no_households_and_no_other_uploads(liaison, admin, small_register):
    r = post(admin, "financial", csv_bytes(FIN_HEADER, fin_rows([new_id()])))
    assert get(liaison, f"/exchange/uploads/{r.json()['id']}").status_code == 404
    assert get(liaison, "/households").json().get("items", []) == [] or get(
        liaison, "/households"
    ).status_code in (403, 404)
    assert get(liaison, f"/households/{small_register['r'].pk}").status_code == 404


def test_household_verification_endpoint(admin, clerk, small_register):
    post(
        admin,
        "vehicle",
        csv_bytes(
            ["id_number", "name", "plate", "kind", "value", "as_of"],
            [[small_register["r_head"], "王", "晋L1", "car", "86000", AS_OF]],
        ),
    )
    c = Client()
    h = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=clerk)}"}
    url = f"/api/v1/households/{small_register['r'].pk}/verification"
    assert c.post(url, {"consent_confirmed": False}, content_type="application/json", **h).status_code == 400
    r = c.post(url, {"consent_confirmed": True}, content_type="application/json", **h)
    assert r.status_code == 201
    assert any(x["field"] == "assets.vehicles" and x["used"] == "verified" for x in r.json()["comparison"])


def test_web_upload_page_and_household_verification_page(liaison, clerk, small_register):
    c = Client()
    c.force_login(liaison)
    assert c.get("/exchange/uploads/").status_code == 200
    data = csv_bytes(MED, [[new_id(), "张三", "30000", "22000", AS_OF]])
    r = c.post(
        "/exchange/uploads/",
        {"source": "medical", "file": SimpleUploadedFile("m.csv", data), "encoding": "auto"},
    )
    assert r.status_code == 302
    assert "已导入1行" in c.get(r["Location"]).content.decode()
    assert c.get(f"/exchange/households/{small_register['r'].pk}/verification/").status_code == 404
    k = Client()
    k.force_login(clerk)
    page = k.post(f"/exchange/households/{small_register['r'].pk}/verification/", {"consent": "on"})
    assert page.status_code == 200 and "逐人逐项核对结果" in page.content.decode()
    other = Client()
    other.force_login(clerk)
    assert other.get("/exchange/uploads/").status_code == 404
