"""The web pages and the API of the payroll: a clerk generates and submits, the county approves and
releases, finance downloads the bank file; errors are field-specific JSON; the household page
shows the payment history."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from safetynet.audit.models import AuditRecord
from safetynet.payments.models import PayeeAccount, Payroll, PayrollLine
from tests.api.conftest import ApiClient
from tests.conftest import PASSWORD
from tests.payments.conftest import D
from tests.payments.test_bank import BANK, result_file

pytestmark = pytest.mark.django_db


def web(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_the_chain_through_the_web_pages(recipient, chain):
    h = recipient()
    clerk = web(chain.clerk)
    r = clerk.post("/payments/", {"month": "2026-03"})
    p = Payroll.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/payments/{p.pk}/"
    page = clerk.get(f"/payments/{p.pk}/").content.decode()
    assert "王*山" in page and "600.00" in page and "提交审批" in page
    assert clerk.post(f"/payments/{p.pk}/", {"action": "submit"}).status_code == 302
    county = web(chain.county)
    r = county.post(f"/payments/{p.pk}/", {"action": "release"})
    assert r.status_code == 409  # not approved yet
    assert county.post(f"/payments/{p.pk}/", {"action": "approve", "note": "同意"}).status_code == 302
    assert county.post(f"/payments/{p.pk}/", {"action": "release"}).status_code == 302
    r = web(chain.finance).post(f"/payments/{p.pk}/bank-file/", {"bank": BANK, "fmt": "csv"})
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("gbk"))))
    assert rows[-1] == ["TRAILER", "1", "600.00"]
    line = PayrollLine.objects.get()
    bad = result_file([(line.pk, "599.00", True, "")])
    r = county.post(f"/payments/{p.pk}/", {"action": "results", "file": io.BytesIO(bad)})
    assert r.status_code == 400 and "整体退回" in r.content.decode() and "599.00" in r.content.decode()
    good = io.BytesIO(result_file([(line.pk, "600.00", True, "")]))
    good.name = "result.csv"
    assert county.post(f"/payments/{p.pk}/", {"action": "results", "file": good}).status_code == 302
    p.refresh_from_db()
    assert p.status == "reconciled"
    page = county.get(f"/households/{h.pk}/").content.decode()
    assert 'id="payment-history"' in page and "已到账" in page
    # finance sees totals but cannot act, nor open households
    fin = web(chain.finance)
    assert fin.get("/payments/").status_code == 200
    assert fin.post(f"/payments/{p.pk}/", {"action": "approve"}).status_code == 403
    assert fin.get(f"/households/{h.pk}/").status_code == 404


def test_the_api_generates_approves_and_answers_field_specific_errors(recipient, chain):
    recipient()
    clerk, county = ApiClient(chain.clerk), ApiClient(chain.county)
    r = clerk.post("/payrolls", {"township": "141029100", "month": "2026-13"})
    assert r.status_code == 400 and r.json()["field"] == "month"
    r = clerk.post("/payrolls", {"township": "141029100", "month": "2023-12"})
    assert r.status_code == 400 and r.json()["code"] == "standard_missing"
    assert r.json()["field"].startswith("dibao.standard_monthly")
    r = clerk.post("/payrolls", {"township": "141029100", "month": "2026-03"})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["totals"] == [
        {"township": "昌宁镇", "category": "dibao", "funding": "dibao", "lines": 1, "amount": "600.00"}
    ]
    pid = body["id"]
    lines = clerk.get(f"/payrolls/{pid}/lines").json()["items"]
    assert lines[0]["account"].startswith("***") and lines[0]["payee_name"] == "王*山"
    assert clerk.post(f"/payrolls/{pid}/submit").status_code == 200
    r = county.post(f"/payrolls/{pid}/approve", {"acknowledge_flags": "yes please"})
    assert r.status_code == 400 and r.json()["field"] == "acknowledge_flags"
    assert county.post(f"/payrolls/{pid}/approve", {}).json()["status"] == "approved"
    assert county.post(f"/payrolls/{pid}/release", {}).json()["status"] == "released"
    r = county.post(f"/payrolls/{pid}/bank-files", {"bank": BANK, "fmt": "xlsx"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    line = PayrollLine.objects.get()
    r = county.client.post(
        f"/api/v1/payrolls/{pid}/bank-results",
        {"file": io.BytesIO(result_file([(line.pk, "600.00", True, "")], trailer=False))},
        **county.headers,
    )
    assert r.status_code == 422 and r.json()["field"] == "file"
    assert any("合计行" in x for x in r.json()["problems"])
    r = county.client.put(
        f"/api/v1/persons/{line.payee_id}/payee-account",
        '{"kind": "bank_card", "bank": "邮储银行", "account": "6217991234567890123", "reason": "换卡"}',
        content_type="application/json",
        **county.headers,
    )
    assert r.status_code == 400 and r.json() == {
        "code": "account_check_digit",
        "message": r.json()["message"],
        "field": "account",
    }
    assert ApiClient(chain.finance).get(f"/payrolls/{pid}").status_code == 200
    assert ApiClient(chain.clerk_gh).get(f"/payrolls/{pid}").status_code == 404
    assert AuditRecord.objects.filter(action="payroll.bank_file").count() == 1
    hist = county.get(f"/households/{line.household_id}/payments").json()
    assert [(x["month"], x["status"]) for x in hist] == [("2026-03", "pending")]


def test_a_bad_account_number_on_the_web_is_a_chinese_error_beside_the_field(recipient, chain):
    h = recipient()
    before = PayeeAccount.objects.count()
    r = web(chain.clerk).post(
        f"/payments/persons/{h.head.pk}/account/",
        {"kind": "bank_card", "bank": "邮储银行", "account": "6217991234567890123", "reason": "换卡"},
    )
    page = r.content.decode()
    assert r.status_code == 400
    assert "账号校验位不符" in page
    # beside the account field, not as a form-level alert
    assert '<p class="field-error" id="err-account" role="alert">银行借记卡账号校验位不符' in page
    assert PayeeAccount.objects.count() == before
    assert not AuditRecord.objects.filter(action="payee.account", reason="换卡").exists()


def test_the_auditor_sees_payrolls_and_payment_history_read_only_on_the_web(recipient, chain):
    h = recipient()
    p = chain.approve(D(2026, 3, 1))
    aud = web(chain.auditor)
    assert aud.get("/payments/").status_code == 200
    page = aud.get(f"/payments/{p.pk}/").content.decode()
    assert "600.00" in page and 'value="release"' not in page and 'value="approve"' not in page
    assert 'id="payment-history"' in aud.get(f"/households/{h.pk}/").content.decode()
    for action in ("release", "submit", "approve"):
        assert aud.post(f"/payments/{p.pk}/", {"action": action}).status_code == 403
    assert aud.post("/payments/", {"month": "2026-04"}).status_code == 403
    p.refresh_from_db()
    assert p.status == "approved"
