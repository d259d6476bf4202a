"""A snapshot of the register for the comparison: one row per current membership, keyed by the
blind index of the resident ID (`id_index`, its 16-byte file key: `verification.keys`), never the ID
itself.

Each row carries what the rules need: household and village, whether the member is counted,
whether the household is a recipient (its filed entitlement in force on the day is 特困 or 低保,
`entitlements`; never the latest engine assessment), the family
size, the declared assets, and the household's limits computed from the policy parameters in
force (financial-asset limit = 低保标准 × members × `assets.financial_months`; income line = 低保
标准 by hukou). The resident ID is decrypted in memory only to check it (GB 11643).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.db.models import OuterRef, Subquery

from safetynet.assessments.services import parameter_set
from safetynet.core.areas import configured_county
from safetynet.core.resident_id import InvalidResidentId, parse_resident_id
from safetynet.entitlements.models import Entitlement
from safetynet.entitlements.selectors import RECIPIENT_CATEGORIES, covering
from safetynet.registry.models import Membership
from safetynet.registry.selectors import households_in_region
from safetynet.verification.keys import KEY_TYPE, index_key

REGISTER_SCHEMA = pa.schema(
    [
        ("person_id", pa.int64()),
        ("id_index", KEY_TYPE),
        ("household_id", pa.int64()),
        ("village_code", pa.string()),
        ("head_id_index", KEY_TYPE),
        ("counted", pa.bool_()),
        ("recipient", pa.bool_()),
        ("category", pa.string()),
        ("family_size", pa.int32()),
        ("id_valid", pa.bool_()),
        ("id_problem", pa.string()),
        ("declared_financial", pa.decimal128(16, 2)),
        ("declared_vehicles", pa.int32()),
        ("declared_vehicle_value", pa.decimal128(16, 2)),
        ("declared_homes", pa.int32()),
        ("declared_company_roles", pa.int32()),
        ("financial_limit", pa.decimal128(16, 2)),
        ("income_line", pa.decimal128(16, 2)),
    ]
)


def _q(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def export_register(path: Path, *, on: dt.date, region: str | None = None, batch: int = 2000) -> dict:
    """Write the register snapshot of `region` (default: the configured county) to `path`; return counts."""
    region = region or configured_county()
    params = parameter_set(region).on(on)
    months = Decimal(params["assets.financial_months"])
    standards = {
        "urban": Decimal(params["dibao.standard_monthly.urban"]),
        "rural": Decimal(params["dibao.standard_monthly.rural"]),
    }
    filed = Entitlement.objects.filter(covering(on), household=OuterRef("pk")).values("category")[:1]
    households = (
        households_in_region(region)
        .annotate(filed_category=Subquery(filed))
        .select_related("village", "head")
    )
    writer = pq.ParquetWriter(path, REGISTER_SCHEMA)
    rows = persons = 0
    ids = list(households.order_by("pk").values_list("pk", flat=True))
    try:
        for start in range(0, len(ids), batch):
            chunk = {h.pk: h for h in households.filter(pk__in=ids[start : start + batch])}
            members = (
                Membership.objects.filter(household_id__in=chunk, left_on__isnull=True)
                .select_related("person")
                .order_by("household_id", "id")
            )
            by_household: dict[int, list[Membership]] = {}
            for m in members:
                by_household.setdefault(m.household_id, []).append(m)
            out = {name: [] for name in REGISTER_SCHEMA.names}
            for hid, ms in by_household.items():
                h = chunk[hid]
                size = sum(1 for m in ms if m.counted)
                standard = standards.get(h.hukou, standards["rural"])
                category = h.filed_category or ""
                head_index = h.head.id_index if h.head_id else ms[0].person.id_index
                vehicles = h.vehicles or []
                for m in ms:
                    p = m.person
                    try:
                        parse_resident_id(p.id_number)
                        valid, problem = True, ""
                    except InvalidResidentId as e:
                        valid, problem = False, e.message
                    values = {
                        "person_id": p.pk,
                        "id_index": index_key(p.id_index),
                        "household_id": hid,
                        "village_code": h.village.code,
                        "head_id_index": index_key(head_index),
                        "counted": m.counted,
                        "recipient": category in RECIPIENT_CATEGORIES,
                        "category": category,
                        "family_size": size,
                        "id_valid": valid,
                        "id_problem": problem,
                        "declared_financial": _q(h.financial_assets),
                        "declared_vehicles": len(vehicles),
                        "declared_vehicle_value": _q(
                            sum(Decimal(str(v.get("value") or 0)) for v in vehicles)
                        ),
                        "declared_homes": h.homes,
                        "declared_company_roles": h.company_roles,
                        "financial_limit": _q(standard * max(size, 1) * months),
                        "income_line": _q(standard),
                    }
                    for k, v in values.items():
                        out[k].append(v)
                    rows += 1
                persons += len(ms)
            writer.write_table(pa.Table.from_pydict(out, schema=REGISTER_SCHEMA))
    finally:
        writer.close()
    return {"households": len(ids), "members": rows}
