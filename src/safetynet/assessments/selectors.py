"""Reading stored assessments, always through the registry's area scoping."""

from __future__ import annotations

from safetynet.assessments.models import Assessment
from safetynet.registry import selectors as registry_selectors


def assessments_of(user, household_id, *, limit: int = 50) -> list[Assessment]:
    household = registry_selectors.get_household(user, household_id)
    return list(Assessment.objects.filter(household=household).order_by("-id")[:limit])


def latest_assessment(user, household_id) -> Assessment | None:
    rows = assessments_of(user, household_id, limit=1)
    return rows[0] if rows else None
