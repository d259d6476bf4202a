import io

from django.test import Client
from openpyxl import load_workbook

from safetynet.audit.models import AuditRecord
from tests.conftest import PASSWORD, VILLAGE_A, VILLAGE_C, member, new_id


def test_export_lists_only_households_in_reach_masked_and_is_audited(users, make_household):
    number = new_id()
    inside = make_household(VILLAGE_A, members=[member(id_number=number, name="赵铁柱")])
    make_household(VILLAGE_C, members=[member(name="钱多多")])
    c = Client()
    c.login(username=users["township_clerk"].username, password=PASSWORD)
    r = c.get("/households/export.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == inside.pk
    flat = " ".join(str(v) for row in rows for v in row)
    assert "赵*柱" in flat and number not in flat and "钱" not in flat
    rec = AuditRecord.objects.get(action="household.export")
    assert rec.changes["rows"] == 1 and rec.actor == users["township_clerk"].username


def test_department_liaison_exports_nothing(users, make_household):
    make_household(VILLAGE_A)
    c = Client()
    c.login(username=users["dept_liaison"].username, password=PASSWORD)
    rows = list(
        load_workbook(io.BytesIO(c.get("/households/export.xlsx").content)).active.iter_rows(values_only=True)
    )
    assert len(rows) == 1  # the header only
