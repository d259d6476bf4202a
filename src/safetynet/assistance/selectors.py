"""Reads of the assistance plan, scoped like every read.

A household's plan is read through the user's reach (`registry.selectors`); a department liaison,
who reaches no household, reads only the measures referred to their own department
(`departments_of`), never the rest of the household. A measure outside either answers the same
not-found as a missing one.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from safetynet.accounts.roles import Perm, Role
from safetynet.assistance.models import Feedback, FeedbackUpload, Measure, MeasureStatus
from safetynet.core.errors import NotFound
from safetynet.registry.selectors import get_household, in_reach

# Which department a liaison answers for follows from the department data they exchange
# (verification's LiaisonSource): the 医保 liaison answers for 医保 referrals, and so on.
SOURCE_DEPARTMENT = {
    "medical": "medical",
    "education": "education",
    "housing": "housing",
    "disability": "disability",
    "unemployment": "hrss",
    "social_insurance": "hrss",
}
# What a department sees of a measure: referred to it, whatever happened since.
REFERRED_STATUSES = (
    MeasureStatus.REFERRED,
    MeasureStatus.IN_PROGRESS,
    MeasureStatus.DONE,
    MeasureStatus.DECLINED,
)


def departments_of(user) -> list[str]:
    """The departments a user answers for: a liaison's from their exchange sources; an
    administrator every department."""
    if not user or not user.is_authenticated or not user.can(Perm.REPORT_REFERRAL_FEEDBACK):
        return []
    if user.role == Role.ADMIN:
        from safetynet.core.glossary import DEPARTMENT_LABELS

        return list(DEPARTMENT_LABELS)
    from safetynet.verification.selectors import sources_of

    return sorted({SOURCE_DEPARTMENT[s] for s in sources_of(user) if s in SOURCE_DEPARTMENT})


def _with_people(qs: QuerySet[Measure]) -> QuerySet[Measure]:
    return qs.select_related("household__village__parent", "person")


def plan_of(user, household) -> tuple:
    """(the household, its measures) for a user who reaches the household."""
    hh = get_household(user, getattr(household, "pk", household))
    return hh, list(_with_people(Measure.objects.filter(household=hh)).order_by("status", "kind", "id"))


def measures_visible_to(user) -> QuerySet[Measure]:
    """Measures of the households in the user's reach."""
    return _with_people(in_reach(Measure.objects.all(), user, "household__village__code"))


def get_measure(user, pk) -> Measure:
    try:
        return measures_visible_to(user).get(pk=int(pk))
    except (Measure.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该帮扶措施。", code="measure_not_found") from None


def referrals_for(user, department: str | None = None) -> QuerySet[Measure]:
    """The referral list of the user's departments (a liaison), or of every department in the
    user's reach (county civil affairs, the township): only measures that were referred."""
    qs = Measure.objects.filter(status__in=REFERRED_STATUSES, referred_on__isnull=False)
    if user.can(Perm.VIEW_HOUSEHOLD):
        qs = in_reach(qs, user, "household__village__code")
    else:
        qs = qs.filter(department__in=departments_of(user))
    if department:
        qs = qs.filter(department=department)
    return _with_people(qs).order_by("-referred_on", "-id")


def get_referral(user, pk) -> Measure:
    """A measure the user may report back on: referred to one of their departments."""
    try:
        return _with_people(
            Measure.objects.filter(
                status__in=REFERRED_STATUSES, referred_on__isnull=False, department__in=departments_of(user)
            )
        ).get(pk=int(pk))
    except (Measure.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到转介给本部门的该帮扶措施。", code="referral_not_found") from None


def feedback_of(measure: Measure) -> list[Feedback]:
    return list(measure.feedback.select_related("reported_by").order_by("id"))


def uploads_of(user) -> QuerySet[FeedbackUpload]:
    return FeedbackUpload.objects.filter(department__in=departments_of(user)).order_by("-id")


def premium_measures(user, year: int) -> QuerySet[Measure]:
    """The 医保 premium-subsidy list of a year: referred and not declined, in the user's reach."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    qs = in_reach(
        Measure.objects.filter(
            kind="premium_subsidy",
            status__in=[MeasureStatus.REFERRED, MeasureStatus.IN_PROGRESS, MeasureStatus.DONE],
            referred_on__gte=start,
            referred_on__lt=end,
        ),
        user,
        "household__village__code",
    )
    return _with_people(qs).order_by("household__village__code", "household_id", "id")
