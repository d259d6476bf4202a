"""Department uploads: formats, schema checks, all-or-nothing vs valid rows only, idempotence,
bad input of every kind (nothing loaded), audit, and storage without plaintext IDs."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from safetynet.audit.models import AuditRecord
from safetynet.core.errors import PermissionDenied
from safetynet.verification import storage
from safetynet.verification.models import Upload
from tests.conftest import new_id
from tests.verification.conftest import AS_OF, FIN_HEADER, csv_bytes, fin_rows, upload

pytestmark = pytest.mark.django_db


def test_valid_csv_is_loaded_keyed_by_blind_index_without_plaintext_ids(admin):
    ids = [new_id() for _ in range(3)]
    out = upload(admin, "financial", csv_bytes(FIN_HEADER, fin_rows(ids)))
    u = out.upload
    assert out.created and u.status == "accepted" and u.rows_loaded == 3 and u.period == "2026-05"
    path = storage.absolute(u.data_path)
    assert path.name == f"{u.sha256}.parquet"
    raw = path.read_bytes()
    assert not any(i.encode() in raw for i in ids)
    table = pq.read_table(path)
    assert "id_number" not in table.column_names and "name" not in table.column_names
    from safetynet.registry.fields import blind_index

    assert table.schema.field("id_index").type == pa.binary(16)  # the first 16 bytes of the HMAC
    assert set(table.column("id_index").to_pylist()) == {bytes.fromhex(blind_index(i))[:16] for i in ids}
    assert not list(storage.sub("tmp").glob("*.raw"))  # the raw upload is not kept


def test_every_upload_is_audited(admin):
    before = AuditRecord.objects.filter(action="exchange.upload").count()
    upload(admin, "financial", csv_bytes(FIN_HEADER, fin_rows([new_id()])))
    upload(admin, "financial", csv_bytes(FIN_HEADER, fin_rows(["123"])))
    assert AuditRecord.objects.filter(action="exchange.upload").count() == before + 2


def test_reupload_of_the_same_file_changes_nothing(admin):
    data = csv_bytes(FIN_HEADER, fin_rows([new_id(), new_id()]))
    first = upload(admin, "financial", data)
    again = upload(admin, "financial", data, name="renamed.csv")
    assert again.created is False and again.upload.pk == first.upload.pk
    assert Upload.objects.filter(status="accepted").count() == 1
    assert len(list(storage.sub("financial").glob("*.parquet"))) == 1


def test_gbk_csv_detected_and_declared(admin):
    rows = fin_rows([new_id()])
    data = csv_bytes(
        FIN_HEADER, [[r[0], "张三", "乡宁农商银行", "存款", "10.00", AS_OF] for r in rows], "gbk"
    )
    auto = upload(admin, "financial", data)
    assert auto.upload.status == "accepted" and auto.upload.encoding == "gbk"
    data2 = csv_bytes(FIN_HEADER, [[new_id(), "李四", "邮储银行", "存款", "5", AS_OF]], "gbk")
    declared = upload(admin, "financial", data2, encoding="gbk")
    assert declared.upload.status == "accepted"


def test_chinese_headers_and_labels_are_accepted(admin):
    header = ["身份证号码", "姓名", "金融机构", "资产类别", "余额（元）", "数据截至日期"]
    out = upload(
        admin,
        "financial",
        csv_bytes(header, [[new_id(), "张三", "农商行", "存款", '"1,200.50"', "2026/05/01"]]),
    )
    assert out.upload.status == "accepted"


def test_wrong_declared_encoding_is_rejected_with_a_clear_message(admin):
    data = csv_bytes(FIN_HEADER, [[new_id(), "张三", "乡宁农商银行", "存款", "10", AS_OF]], "gbk")
    out = upload(admin, "financial", data, encoding="utf-8")
    assert out.upload.status == "rejected" and out.upload.rows_loaded == 0
    assert "UTF-8" in out.upload.message and "GBK" in out.upload.message
    assert out.upload.errors[0]["code"] == "wrong_encoding"
    utf8 = csv_bytes(FIN_HEADER, [[new_id(), "张三", "乡宁农商银行", "存款", "10", AS_OF]])
    assert upload(admin, "financial", utf8, encoding="gbk").upload.errors[0]["code"] == "wrong_encoding"


def test_bytes_that_are_neither_utf8_nor_gbk_are_rejected(admin):
    data = csv_bytes(FIN_HEADER, []) + b"\xff\xfe\xfa\xfb,\x80\x81\n"
    out = upload(admin, "financial", data)
    assert out.upload.status == "rejected" and not Upload.objects.filter(status="accepted").exists()


@pytest.mark.parametrize(
    "header,needle",
    [
        (["id_number", "name", "institution", "balance", "as_of"], "缺少必填列"),
        ([*FIN_HEADER, "remark"], "多余的列“remark”"),
        (["id_number", "id_number", "institution", "kind", "balance", "as_of"], "重复"),
    ],
)
def test_missing_extra_or_repeated_columns_reject_the_whole_file(admin, header, needle):
    rows = [[new_id()] + ["x"] * (len(header) - 1)]
    out = upload(admin, "financial", csv_bytes(header, rows), valid_only=True)
    assert out.upload.status == "rejected" and needle in out.upload.message
    assert out.upload.errors[0]["code"] == "bad_header"


def test_invalid_ids_are_reported_by_row_and_column_and_reject_the_file(admin):
    good = new_id()
    rows = fin_rows([good]) + fin_rows(["141029197005170000"]) + fin_rows(["12345"])
    out = upload(admin, "financial", csv_bytes(FIN_HEADER, rows))
    u = out.upload
    assert u.status == "rejected" and u.rows_loaded == 0 and u.error_count == 2 and not u.data_path
    errs = sorted(u.errors, key=lambda e: e["row"])
    assert errs[0]["row"] == 3 and "id_number" in errs[0]["column"] and "校验位" in errs[0]["reason"]
    assert errs[1]["row"] == 4 and "18位" in errs[1]["reason"]
    assert "12345" not in str(u.errors)  # IDs are not echoed into the error report


def test_valid_only_loads_the_valid_rows(admin):
    rows = (
        fin_rows([new_id(), new_id()]) + fin_rows(["bad"]) + [[new_id(), "x", "行", "deposit", "abc", AS_OF]]
    )
    out = upload(admin, "financial", csv_bytes(FIN_HEADER, rows), valid_only=True)
    u = out.upload
    assert u.status == "partial" and u.rows_loaded == 2 and u.error_count == 2 and u.rows_total == 4
    assert pq.read_table(storage.absolute(u.data_path)).num_rows == 2
    reasons = {e["row"]: e["reason"] for e in u.errors}
    assert "应为数值" in reasons[5]


def test_duplicate_rows_are_errors(admin):
    a = new_id()
    rows = fin_rows([a, new_id(), a])
    out = upload(admin, "financial", csv_bytes(FIN_HEADER, rows))
    assert out.upload.status == "rejected"
    assert out.upload.errors == [
        {"row": 4, "column": "身份证号码（id_number）", "reason": out.upload.errors[0]["reason"]}
    ]
    assert "与第2行重复" in out.upload.errors[0]["reason"]
    partial = upload(admin, "financial", csv_bytes(FIN_HEADER, rows), valid_only=True)
    assert partial.upload.rows_loaded == 2


def test_cell_checks_enums_dates_ranges_and_required(admin):
    header = ["id_number", "name", "kind", "grade", "certified_on", "as_of"]
    rows = [
        [new_id(), "a", "physical", "5", "2025-01-01", AS_OF],  # grade out of range
        [new_id(), "b", "wings", "1", "2025-01-01", AS_OF],  # enum
        [new_id(), "c", "visual", "2", "2025-13-01", AS_OF],  # date
        [new_id(), "d", "visual", "2", "", AS_OF],  # required
        [new_id(), "e", "visual", "2", "2025-01-01", (dt.date.today() + dt.timedelta(days=3)).isoformat()],
    ]
    out = upload(admin, "disability", csv_bytes(header, rows))
    by_row = {e["row"]: e["reason"] for e in out.upload.errors}
    assert "不大于4" in by_row[2] and "取值应为" in by_row[3] and "日期" in by_row[4]
    assert by_row[5] == "必填项为空" and "晚于今天" in by_row[6]


def test_ragged_rows_are_reported(admin):
    data = csv_bytes(FIN_HEADER, fin_rows([new_id()])) + b"141029,short\n"
    out = upload(admin, "financial", data)
    assert out.upload.status == "rejected"
    assert out.upload.errors[0]["row"] == 3 and "字段数" in out.upload.errors[0]["reason"]


def test_empty_file_is_rejected(admin):
    assert upload(admin, "financial", b"").upload.status == "rejected"
    assert "没有数据行" in upload(admin, "financial", csv_bytes(FIN_HEADER, [])).upload.message


def test_xlsx_upload_and_numeric_id_cells(admin):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(FIN_HEADER)
    ws.append([new_id(), "张三", "农商行", "存款", 1200.5, dt.date(2026, 5, 1)])
    ws.append([141029197005170017, "李四", "农商行", "存款", 10, dt.date(2026, 5, 1)])
    buf = io.BytesIO()
    wb.save(buf)
    out = upload(admin, "financial", buf.getvalue(), name="f.xlsx", valid_only=True)
    assert out.upload.format == "xlsx" and out.upload.status == "partial" and out.upload.rows_loaded == 1
    assert "文本格式" in out.upload.errors[0]["reason"] and out.upload.errors[0]["row"] == 3


def test_parquet_upload(admin, tmp_path):
    t = pa.table(
        {
            "id_number": [new_id(), new_id()],
            "institution": ["农商行", "邮储"],
            "kind": ["deposit", "fund"],
            "balance": pa.array([1200.5, 30.0]),
            "as_of": pa.array([dt.date(2026, 5, 1)] * 2),
        }
    )
    buf = io.BytesIO()
    pq.write_table(t, buf)
    out = upload(admin, "financial", buf.getvalue(), name="f.parquet")
    assert out.upload.format == "parquet" and out.upload.status == "accepted" and out.upload.rows_loaded == 2


def test_a_file_over_the_size_limit_is_refused_before_reading(admin, settings):
    settings.EXCHANGE_MAX_BYTES = 1000
    data = csv_bytes(FIN_HEADER, fin_rows([new_id() for _ in range(40)]))
    out = upload(admin, "financial", data)
    assert out.upload.status == "rejected" and out.upload.errors[0]["code"] == "file_too_large"
    assert "大小上限" in out.upload.message and not Upload.objects.filter(status="accepted").exists()


def test_large_files_stream_in_chunks_with_exact_row_numbers(admin, settings):
    settings.EXCHANGE_CHUNK_ROWS = 100  # many chunks: the file is never read whole
    ids = [new_id(dt.date(1950, 1, 1) + dt.timedelta(days=i)) for i in range(1500)]
    rows = fin_rows(ids)
    rows[1200][4] = "oops"
    out = upload(admin, "financial", csv_bytes(FIN_HEADER, rows))
    assert out.upload.rows_total == 1500 and out.upload.errors[0]["row"] == 1202
    ok = upload(admin, "financial", csv_bytes(FIN_HEADER, fin_rows(ids[:1200])))
    assert ok.upload.rows_loaded == 1200


def test_error_report_keeps_every_error(admin):
    rows = fin_rows(["bad"] * 30)
    out = upload(admin, "financial", csv_bytes(FIN_HEADER, rows))
    text = storage.absolute(out.upload.errors_path).read_text(encoding="utf-8")
    assert len(text.strip().splitlines()) == 31


def test_liaison_uploads_only_their_own_source(liaison, users):
    header = ["id_number", "name", "total_cost_12m", "self_paid_12m", "as_of"]
    ok = upload(liaison, "medical", csv_bytes(header, [[new_id(), "张三", "30000", "22000", AS_OF]]))
    assert ok.upload.status == "accepted"
    with pytest.raises(PermissionDenied):
        upload(liaison, "financial", csv_bytes(FIN_HEADER, fin_rows([new_id()])))
    with pytest.raises(PermissionDenied):
        upload(users["township_clerk"], "medical", csv_bytes(header, [[new_id(), "x", "1", "1", AS_OF]]))
