"""Reads the web pages need beyond the apps' own selectors: the areas in a user's reach once per
request, and the audit trail.

The audit app has no selectors module yet; its reads belong there once it does. Browsing the whole
trail needs `Perm.VIEW_AUDIT`; a household's own recent records are shown to whoever may see the
household, so that function takes a household already fetched through the registry selectors.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from safetynet.accounts.roles import Perm
from safetynet.audit.models import AuditRecord
from safetynet.registry import selectors as registry
from safetynet.registry.models import Area


def areas_in_reach(request, level: str | None = None) -> list[registry.AreaChoice]:
    """`registry.area_choices_visible_to(request.user)` (those at `level`, if given), read once for
    the request: a list's township and village filters, their validation and the page's own
    selects share it."""
    areas = getattr(request, "_areas_in_reach", None)
    if areas is None:
        areas = request._areas_in_reach = registry.area_choices_visible_to(request.user)
    return areas if level is None else [a for a in areas if a.level == level]


def audit_records_visible_to(user) -> QuerySet[AuditRecord]:
    if not user.is_authenticated or not user.can(Perm.VIEW_AUDIT):
        return AuditRecord.objects.none()
    return AuditRecord.objects.all()


def audit_actions(user) -> list[str]:
    return sorted(audit_records_visible_to(user).order_by().values_list("action", flat=True).distinct())


def household_audit(user, household, *, limit: int = 20, person_ids=None) -> list[AuditRecord]:
    """The household's records and those of every person who is or was its member (`person_ids`,
    when the caller has read the household's memberships already)."""
    household = registry.reached_household(user, household)
    if person_ids is None:
        person_ids = (
            registry.memberships_visible_to(user)
            .filter(household=household)
            .values_list("person_id", flat=True)
        )
    match = Q(object_type="household", object_id=str(household.pk)) | Q(
        object_type="person", object_id__in=[str(pk) for pk in person_ids]
    )
    return list(AuditRecord.objects.filter(match).order_by("-seq")[:limit])


def area_names(codes) -> dict[str, str]:
    """Names for the area codes stored in audit records. The area tree is public reference data
    (not scoped like households), and an actor's area may lie above the reader's own."""
    return dict(Area.objects.filter(code__in=set(codes)).values_list("code", "name"))
