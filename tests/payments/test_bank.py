"""The bank files: the disbursement file per bank (CSV in GBK, XLSX) with its trailer, written as an
audited unmasking; the result file imported whole or rejected whole with every problem named;
the same file twice changing nothing; reconciliation to the fen."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from safetynet.audit.models import AuditRecord
from safetynet.core.errors import PermissionDenied, ValidationFailed
from safetynet.payments import bank, selectors
from safetynet.payments import services as pay
from safetynet.payments.models import BankFile, BankResultImport, PayrollLine
from tests.conftest import VILLAGE_B
from tests.payments.conftest import D, card_number

pytestmark = pytest.mark.django_db
BANK = "乡宁县农村信用合作联社"


def result_file(rows, *, trailer=True, count=None, total=None, encoding="gbk"):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["明细编号", "金额", "结果", "失败原因"])
    for line_id, amount, ok, reason in rows:
        w.writerow([line_id, amount, "成功" if ok else "失败", reason])
    if trailer:
        s = sum(Decimal(str(r[1])) for r in rows)
        w.writerow(["TRAILER", len(rows) if count is None else count, f"{s if total is None else total}"])
    return out.getvalue().encode(encoding)


@pytest.fixture
def released(recipient, chain):
    recipient(amount="600")
    recipient(VILLAGE_B, amount="455.50")
    p = chain.approve(D(2026, 3, 1))
    pay.release_payroll(user=chain.county, payroll=p)
    return p


def rows_of(p):
    return list(PayrollLine.objects.filter(payroll=p).order_by("id").values_list("id", "amount"))


def test_the_csv_is_gbk_with_full_accounts_and_a_trailer_and_writing_it_is_audited(released, chain):
    assert bank.banks_of(released) == [BANK]  # two lines, one bank
    name, data = bank.write_bank_file(user=chain.finance, payroll=released, bank=BANK, fmt="csv")
    assert name.endswith(".csv") and "202603" in name
    rows = list(csv.reader(io.StringIO(data.decode("gbk"))))
    assert rows[0] == ["明细编号", "户名", "账号", "金额", "备注"]
    lines = list(PayrollLine.objects.filter(payroll=released).order_by("id").select_related("payee"))
    assert rows[1:-1] == [
        [str(x.pk), x.payee.name, x.account, f"{x.amount:.2f}", "2026年03月低保"] for x in lines
    ]
    assert rows[-1] == ["TRAILER", "2", "1055.50"]
    rec = AuditRecord.objects.get(action="payroll.bank_file")
    assert rec.actor == "pay_finance" and rec.changes["lines"] == 2 and rec.changes["total"] == "1055.50"
    assert BankFile.objects.get().sha256 == rec.changes["sha256"]
    with pytest.raises(PermissionDenied):
        bank.write_bank_file(user=chain.clerk, payroll=released, bank=BANK)


def test_the_xlsx_holds_the_same_rows_with_accounts_as_text(released, chain):
    _, data = bank.write_bank_file(user=chain.county, payroll=released, bank=BANK, fmt="xlsx")
    ws = load_workbook(io.BytesIO(data), read_only=True).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == ["明细编号", "户名", "账号", "金额", "备注"]
    assert all(isinstance(r[2], str) and len(r[2]) == 19 for r in rows[1:-1])
    assert rows[-1][:3] == ["TRAILER", 2, "1055.50"]


def test_a_mismatching_result_file_is_rejected_whole_with_every_problem_named(released, chain):
    (a, amount_a), (b, amount_b) = rows_of(released)
    bad = result_file(
        [(a, "600.00", True, ""), (b, "455.00", True, ""), (999999, "1.00", False, "")], total="9.99"
    )
    with pytest.raises(bank.ResultFileRejected) as e:
        bank.import_bank_result(user=chain.county, payroll=released, data=bad)
    problems = e.value.problems
    assert any("999999" in x and "不属于" in x for x in problems)
    assert any(f"明细{b}金额455.00与名册455.50不符" in x for x in problems)
    assert any("失败但未写明原因" in x for x in problems)
    assert any("合计行金额" in x for x in problems)
    assert e.value.as_dict()["field"] == "file" and e.value.as_dict()["problems"] == problems
    assert PayrollLine.objects.filter(payroll=released, status="pending").count() == 2
    assert not BankResultImport.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"trailer": False}, "缺少合计行"),
        ({"count": 5}, "合计行笔数"),
        ({"encoding": "utf-8"}, "UTF-8"),
    ],
)
def test_a_truncated_trailer_a_wrong_count_or_a_wrong_encoding_is_rejected(released, chain, kwargs, expected):
    rows = [(i, f"{amt:.2f}", True, "") for i, amt in rows_of(released)]
    with pytest.raises(bank.ResultFileRejected) as e:
        bank.import_bank_result(user=chain.county, payroll=released, data=result_file(rows, **kwargs))
    assert any(expected in x for x in e.value.problems), e.value.problems
    assert not PayrollLine.objects.filter(payroll=released).exclude(status="pending").exists()


def test_digits_that_are_not_ascii_in_a_line_id_or_the_trailer_are_named_not_a_crash(released, chain):
    (a, amount_a), (b, amount_b) = rows_of(released)
    text = (
        "明细编号,金额,结果,失败原因\r\n"
        f"{a}①,{amount_a:.2f},成功,\r\n"
        f"{b},{amount_b:.2f},成功,\r\n"
        f"TRAILER,①,{amount_a + amount_b:.2f}\r\n"
    )
    with pytest.raises(bank.ResultFileRejected) as e:
        bank.import_bank_result(user=chain.county, payroll=released, data=text.encode("gbk"))
    assert any(f"明细编号“{a}①”无效" in x for x in e.value.problems), e.value.problems
    assert any("合计行笔数“①”" in x for x in e.value.problems), e.value.problems
    assert not PayrollLine.objects.filter(payroll=released).exclude(status="pending").exists()
    assert not BankResultImport.objects.exists()


def test_a_result_file_imported_twice_changes_nothing_and_failures_go_to_the_worklist(released, chain):
    (a, amount_a), (b, amount_b) = rows_of(released)
    data = result_file([(a, f"{amount_a:.2f}", True, ""), (b, f"{amount_b:.2f}", False, "账户已销户")])
    first = bank.import_bank_result(user=chain.county, payroll=released, data=data)
    again = bank.import_bank_result(user=chain.county, payroll=released, data=data)
    assert first.pk == again.pk and BankResultImport.objects.count() == 1
    assert AuditRecord.objects.filter(action="payroll.bank_result").count() == 1
    rec = selectors.reconciliation(released)
    assert (rec.due, rec.paid, rec.failed, rec.pending) == (
        Decimal("1055.50"),
        Decimal("600.00"),
        Decimal("455.50"),
        Decimal("0.00"),
    )
    assert rec.balanced and rec.complete
    released.refresh_from_db()
    assert released.status == "reconciled"
    work = list(selectors.failed_worklist(chain.clerk))
    assert [(x.pk, x.failure_reason) for x in work] == [(b, "账户已销户")]
    assert list(selectors.failed_worklist(chain.clerk_gh)) == []
    # a later file contradicting a recorded result is refused
    with pytest.raises(bank.ResultFileRejected) as e:
        bank.import_bank_result(
            user=chain.county, payroll=released, data=result_file([(b, f"{amount_b:.2f}", True, "")])
        )
    assert "已记为“发放失败”" in e.value.problems[0]


def test_a_partial_result_leaves_the_rest_pending_and_the_payroll_released(released, chain):
    (a, amount_a), _ = rows_of(released)
    bank.import_bank_result(
        user=chain.county, payroll=released, data=result_file([(a, f"{amount_a:.2f}", True, "")])
    )
    rec = selectors.reconciliation(released)
    assert (rec.paid, rec.pending, rec.pending_lines, rec.balanced, rec.complete) == (
        Decimal("600.00"),
        Decimal("455.50"),
        1,
        True,
        False,
    )
    released.refresh_from_db()
    assert released.status == "released"


def test_a_failed_line_is_reissued_only_once_the_account_is_fixed(released, chain):
    (a, amount_a), (b, amount_b) = rows_of(released)
    data = result_file([(a, f"{amount_a:.2f}", True, ""), (b, f"{amount_b:.2f}", False, "账户已销户")])
    bank.import_bank_result(user=chain.county, payroll=released, data=data)
    line = PayrollLine.objects.get(pk=b)
    with pytest.raises(ValidationFailed) as e:
        pay.release_for_reissue(user=chain.clerk, line=line, reason="重发")
    assert (e.value.code, e.value.field) == ("account_not_fixed", "account")
    assert "账户已销户" in e.value.message
    line.refresh_from_db()
    assert line.committed and line.released_for_reissue_at is None
    assert not AuditRecord.objects.filter(action="payroll.reissue").exists()
    chain.account(line.payee, card_number("622848"), bank="中国农业银行")
    pay.release_for_reissue(user=chain.clerk, line=line, reason="已更换账户")
    line.refresh_from_db()
    assert not line.committed and line.released_for_reissue_at is not None
    april = chain.generate(D(2026, 4, 1))
    reissued = PayrollLine.objects.get(payroll=april, household_id=line.household_id, kind="reissue")
    assert (reissued.benefit_month, reissued.amount, reissued.bank) == (
        D(2026, 3, 1),
        amount_b,
        "中国农业银行",
    )
