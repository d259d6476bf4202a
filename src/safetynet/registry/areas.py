"""Loading the area tree: a county and its townships from the shipped data file; villages from
the caller (the demo's are synthetic and flagged so)."""

from __future__ import annotations

from django.db import transaction

from safetynet.core.areas import VillageSpec, county_data
from safetynet.registry.models import Area

__all__ = ["VillageSpec", "load_county", "load_villages"]


@transaction.atomic
def load_county(county_code: str | None = None) -> Area:
    """Create or update the county (default: the configured one), its parents and its townships. Idempotent."""
    data = county_data(county_code)
    parent = None
    for p in data["county"].get("parents", []):
        parent, _ = Area.objects.update_or_create(
            code=p["code"], defaults={"name": p["name"], "level": p["level"], "parent": parent}
        )
    c = data["county"]
    county, _ = Area.objects.update_or_create(
        code=c["code"],
        defaults={
            "name": c["name"],
            "level": Area.Level.COUNTY,
            "parent": parent,
            "pinyin": c.get("pinyin", ""),
        },
    )
    for t in data["townships"]:
        Area.objects.update_or_create(
            code=t["code"],
            defaults={
                "name": t["name"],
                "level": Area.Level.TOWNSHIP,
                "parent": county,
                "pinyin": t["pinyin"],
                "code_assumed": t.get("code_assumed", False),
            },
        )
    return county


@transaction.atomic
def load_villages(villages: list[VillageSpec]) -> list[Area]:
    townships = {a.code: a for a in Area.objects.filter(level=Area.Level.TOWNSHIP)}
    out = []
    for v in villages:
        if not v.code.startswith(v.township_code) or len(v.code) != 12:
            raise ValueError(f"village code {v.code} is not a 12-digit code under {v.township_code}")
        area, _ = Area.objects.update_or_create(
            code=v.code,
            defaults={
                "name": v.name,
                "level": Area.Level.VILLAGE,
                "parent": townships[v.township_code],
                "synthetic": v.synthetic,
                "code_assumed": True,
            },
        )
        out.append(area)
    return out
