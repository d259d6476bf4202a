"""Reads of the verification app. A liaison sees the uploads of the sources they may upload (and
nothing of the register); an administrator sees all; others see none. A get outside that reach is
the same not-found as a missing upload."""

from __future__ import annotations

from django.db.models import QuerySet

from safetynet.accounts.roles import Perm, Role
from safetynet.core.errors import NotFound
from safetynet.registry import selectors as registry
from safetynet.verification.models import LiaisonSource, Upload, VerificationReport
from safetynet.verification.sources import SOURCES


def sources_of(user) -> list[str]:
    """The sources a user may upload."""
    if not user or not user.is_authenticated or not user.can(Perm.EXCHANGE_DATA):
        return []
    if user.role == Role.ADMIN:
        return list(SOURCES)
    return list(LiaisonSource.objects.filter(user=user).values_list("source", flat=True))


def uploads_visible_to(user) -> QuerySet[Upload]:
    if not user or not user.is_authenticated or not user.can(Perm.EXCHANGE_DATA):
        return Upload.objects.none()
    if user.role == Role.ADMIN:
        return Upload.objects.all()
    return Upload.objects.filter(source__in=sources_of(user))


def get_upload(user, pk) -> Upload:
    try:
        return uploads_visible_to(user).get(pk=int(pk))
    except (Upload.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该上传记录。", code="upload_not_found") from None


def reports_of(user, household) -> QuerySet[VerificationReport]:
    """Verification reports of a household the user can see; the household is re-fetched through
    the registry's scoping, so one outside the user's area is the same `NotFound` as a missing one."""
    household = registry.get_household(user, getattr(household, "pk", household))
    return VerificationReport.objects.filter(household=household).select_related("requested_by")
