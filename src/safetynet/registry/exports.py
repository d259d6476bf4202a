"""Excel export of the households a user can see (masked), through the same area-scoped selectors.

An export is a copy of personal data leaving the system, so every export is audited with its
filters and row count, even though names and identifiers are masked.
"""

from __future__ import annotations

import io

from django.db.models import Count, Q
from openpyxl import Workbook

from safetynet.audit.services import Actor, record_audit
from safetynet.core.errors import PermissionDenied
from safetynet.core.masking import mask_id_number, mask_name
from safetynet.registry import selectors
from safetynet.registry.models import Hukou

MAX_ROWS = 50_000
HEADERS = [
    "户编号",
    "乡镇",
    "村（社区）",
    "住址",
    "户籍性质",
    "脱贫户",
    "户主（脱敏）",
    "户主身份证号（脱敏）",
    "现有成员数",
]


def households_workbook(
    *, user, q: str = "", village: str = "", township: str = "", client: str = ""
) -> bytes:
    found = selectors.search_households(user, q=q, village=village, township=township)
    count = found.count()
    if count > MAX_ROWS:
        raise PermissionDenied(
            f"一次最多导出 {MAX_ROWS} 户，请缩小范围（当前 {count} 户）。", code="export_too_large"
        )
    rows = found.annotate(n=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("户档案")
    ws.append(HEADERS)
    hukou = dict(Hukou.choices)
    for h in rows.iterator(chunk_size=2000):
        head = h.head
        ws.append(
            [
                h.pk,
                h.village.parent.name,
                h.village.name,
                h.address,
                hukou.get(h.hukou, h.hukou),
                "是" if h.alleviated else "否",
                mask_name(head.name) if head else "",
                mask_id_number(head.id_number) if head else "",
                h.n,
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    record_audit(
        actor=Actor.of(user, client),
        action="household.export",
        object_type="household",
        changes={"filters": {"q": q, "village": village, "township": township}, "rows": count},
    )
    return buf.getvalue()
