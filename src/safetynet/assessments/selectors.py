"""Reading stored assessments, always through the registry's area scoping."""

from __future__ import annotations

from safetynet.assessments.models import Assessment
from safetynet.policy.sentences import with_sentences
from safetynet.registry import selectors as registry_selectors


def assessments_of(user, household_id, *, limit: int = 50) -> list[Assessment]:
    household = registry_selectors.get_household(user, household_id)
    return list(Assessment.objects.filter(household=household).order_by("-id")[:limit])


def latest_assessment(user, household_id) -> Assessment | None:
    rows = assessments_of(user, household_id, limit=1)
    return rows[0] if rows else None


def explained_result(assessment: Assessment) -> dict:
    """The stored result with a plain-Chinese sentence on every step of its trace (written now for
    an assessment stored before the sentences existed; the stored row is not changed)."""
    result = assessment.result or {}
    if not result.get("trace"):
        return result
    hukou = (assessment.inputs or {}).get("hukou")
    return {**result, "trace": with_sentences(result["trace"], hukou=hukou)}
