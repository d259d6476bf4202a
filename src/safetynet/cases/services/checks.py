"""Checks shared by every service of the procedure: the permission, entered text, ID numbers and
phones; references of leads and cases. No workflow and no engine here: lead intake uses them too."""

from __future__ import annotations

import datetime as dt
import re

from safetynet.accounts.roles import PERMISSIONS, Perm, Role
from safetynet.core.errors import PermissionDenied, SafetynetError, ValidationFailed
from safetynet.core.resident_id import parse_resident_id

PHONE_RE = re.compile(r"^1\d{10}$")


def _require(user, perm: Perm | str, what: str = "此操作") -> None:
    if not user.can(Perm(perm)):
        raise PermissionDenied(f"您的角色无权执行{what}。")


def _text(value, field: str, label: str, *, required: bool = True, max_length: int = 4000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"请填写{label}。", field=field)
    if len(value) > max_length:
        raise ValidationFailed(f"{label}不能超过{max_length}个字。", field=field)
    return value


def _roles_with(perm: Perm) -> list[str]:
    return [r.value for r, perms in PERMISSIONS.items() if perm in perms and r != Role.ADMIN]


def _next_reference(prefix: str, model, day: dt.date) -> str:
    """XN-L-2026-000001: county short name, kind, year, running number within the year."""
    stem = f"{prefix}-{day.year}-"
    last = (
        model.objects.filter(reference__startswith=stem)
        .order_by("-reference")
        .values_list("reference", flat=True)
    )
    n = int(last[0].rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{n:06d}"


def _id_number(raw: str, field: str, *, required: bool) -> str:
    raw = (raw or "").strip().upper()
    if not raw:
        if required:
            raise ValidationFailed("请填写身份证号码。", field=field)
        return ""
    return parse_resident_id(raw, field=field).number


def _phone(raw: str, field: str, *, required: bool) -> str:
    raw = (raw or "").strip()
    if not raw and required:
        raise ValidationFailed("请填写手机号码。", field=field)
    if raw and not PHONE_RE.match(raw):
        raise ValidationFailed("手机号码应为11位数字。", field=field)
    return raw


def _prefixed(err: SafetynetError, prefix: str) -> SafetynetError:
    err.field = f"{prefix}{err.field}" if err.field else prefix.rstrip(".")
    return err
