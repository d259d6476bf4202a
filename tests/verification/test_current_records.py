"""A department record sent again replaces the earlier one, never adds: the same rows re-sent in
another encoding, as an XLSX copy or as a valid-rows-only partial count once; a correction file
replaces what it names and leaves the rest; the per-case report and the comparison read only the
current records. Both engines: tests/verification/test_engine_parity.py."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from safetynet.audit.models import AuditRecord
from safetynet.verification.comparison import run_comparison
from safetynet.verification.models import Upload
from safetynet.verification.report import verified_input
from safetynet.verification.services import request_verification
from tests.verification.conftest import AS_OF, csv_bytes, upload

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 5, 15)
MED_HEADER = ["id_number", "name", "total_cost_12m", "self_paid_12m", "as_of"]
CAR_HEADER = ["id_number", "name", "plate", "kind", "value", "as_of"]


def _xlsx(header, rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _member_source(report, relation, source):
    member = next(m for m in report["members"] if m["relation"] == relation)
    return next(s for s in member["sources"] if s["source"] == source)


def _send_four_times(admin, rows):
    """The same rows as CSV UTF-8, then GBK, then an XLSX copy, then a partial with a bad row."""
    outs = [
        upload(admin, "medical", csv_bytes(MED_HEADER, rows), name="yibao.csv"),
        upload(admin, "medical", csv_bytes(MED_HEADER, rows, "gbk"), name="yibao-gbk.csv"),
        upload(admin, "medical", _xlsx(MED_HEADER, rows), name="yibao.xlsx"),
        upload(
            admin,
            "medical",
            csv_bytes(MED_HEADER, [*rows, ["123", "坏行", "1", "1", AS_OF]]),
            name="yibao-valid.csv",
            valid_only=True,
        ),
    ]
    assert [o.upload.status for o in outs] == ["accepted", "accepted", "accepted", "partial"]
    assert len({o.upload.sha256 for o in outs}) == 4  # four different files, one period
    assert {o.upload.period for o in outs} == {"2026-05"}
    return outs


def test_the_same_rows_sent_four_times_count_once_in_the_report(admin, clerk, small_register):
    reg = small_register
    rows = [
        [reg["r_spouse"], "李秀英", "20000", "7369", AS_OF],
        [reg["r_head"], "王建国", "1000", "100", AS_OF],
    ]
    outs = _send_four_times(admin, rows)

    report = request_verification(user=clerk, household=reg["r"], consent=True)
    medical = _member_source(report, "spouse", "medical")
    assert len(medical["records"]) == 1 and medical["records"][0]["self_paid_12m"] == "7369.00"
    data, comparison = verified_input(reg["r"], report)
    assert data["rigid_expenditure_12m"]["medical"] == "7469.00"  # 7,369 + 100, not 4 × that
    row = next(c for c in comparison if c["field"] == "rigid_expenditure_12m.medical")
    assert row["verified"] == "7469.00" and len(row["provenance"]) == 2

    replaced = AuditRecord.objects.filter(action="exchange.records_replaced").order_by("id")
    assert [r.object_id for r in replaced] == [str(o.upload.pk) for o in outs[1:]]
    assert all(r.changes["replaced"] == 2 for r in replaced)
    assert replaced[0].changes["from_uploads"] == {str(outs[0].upload.pk): 2}
    assert "替换" in Upload.objects.get(pk=outs[1].upload.pk).message


def test_a_correction_replaces_the_records_it_names_and_leaves_the_rest(admin, clerk, small_register):
    reg = small_register
    upload(
        admin,
        "vehicle",
        csv_bytes(
            CAR_HEADER,
            [
                [reg["r_head"], "王建国", "晋L1", "car", "86000", AS_OF],
                [reg["r_head"], "王建国", "晋L2", "truck", "30000", AS_OF],
                [reg["r_spouse"], "李秀英", "晋L3", "car", "20000", AS_OF],
            ],
        ),
    )
    correction = upload(
        admin,
        "vehicle",
        csv_bytes(CAR_HEADER, [[reg["r_head"], "王建国", "晋L1", "car", "50000", "2026-05-03"]]),
        name="更正.csv",
    )
    assert correction.upload.status == "accepted" and correction.upload.period == "2026-05"

    report = request_verification(user=clerk, household=reg["r"], consent=True)
    head = _member_source(report, "head", "vehicle")
    assert sorted((r["plate"], r["value"]) for r in head["records"]) == [
        ("晋L1", "50000.00"),
        ("晋L2", "30000.00"),
    ]
    assert head["as_of"] == "2026-05-03"
    spouse = _member_source(report, "spouse", "vehicle")
    assert [(r["plate"], r["value"]) for r in spouse["records"]] == [("晋L3", "20000.00")]
    audit = AuditRecord.objects.get(action="exchange.records_replaced")
    assert audit.object_id == str(correction.upload.pk) and audit.changes["replaced"] == 1


def test_a_new_record_in_a_second_part_is_added(admin, clerk, small_register):
    """Parts of one period that name different records add up: only the same identity replaces."""
    reg = small_register
    fin = ["id_number", "name", "institution", "kind", "balance", "as_of"]
    upload(admin, "financial", csv_bytes(fin, [[reg["r_head"], "王建国", "农商行", "deposit", "500", AS_OF]]))
    upload(admin, "financial", csv_bytes(fin, [[reg["r_head"], "王建国", "邮储", "deposit", "700", AS_OF]]))
    report = request_verification(user=clerk, household=reg["r"], consent=True)
    _, comparison = verified_input(reg["r"], report)
    assert next(c for c in comparison if c["field"] == "assets.financial")["verified"] == "1200.00"
    head = _member_source(report, "head", "financial")
    assert sorted(r["balance"] for r in head["records"]) == ["500.00", "700.00"]
    assert not AuditRecord.objects.filter(action="exchange.records_replaced").exists()


def _medical_hits(outcome):
    return {h.evidence["self_paid_12m"] for h in outcome.hits if h.rule == "unassisted_high_medical"}


def test_the_comparison_sees_one_record_per_identity(admin, small_register):
    reg = small_register
    rows = [[reg["n_head"], "赵明", "30000", "12000", AS_OF]]  # twice would be 24,000 ≥ 20,000
    _send_four_times(admin, rows)
    outcome = run_comparison(on=ON)
    assert outcome.run.summary["unassisted_high_medical"]["hits"] == 0
    assert _medical_hits(outcome) == set()

    upload(admin, "medical", csv_bytes(MED_HEADER, [[reg["n_head"], "赵明", "60000", "25000", AS_OF]]))
    outcome = run_comparison(on=ON)
    assert _medical_hits(outcome) == {"25000.00"}  # the correction, not 12,000 × 4 + 25,000
