"""`{% load glossary %}`: codes shown as the glossary's Chinese, amounts with thousands separators.

    {{ d.category|label:"category" }}  {{ case.state|label:"state" }}  {{ t.name|label:"transition" }}
    {{ r.unit|label:"unit" }}  {{ record.action|label:"audit" }}  {{ d.benefit_monthly|money }}

An unknown code passes through unchanged (a new code shows as itself rather than vanishing)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from safetynet.core import glossary
from safetynet.core.money import grouped as _grouped
from safetynet.web import labels

register = template.Library()


@register.filter
def label(code, kind: str) -> str:
    if kind == "audit":
        return labels.action_label(code)
    if kind == "role":
        return labels.role_label(code)
    return glossary.label(kind, code)


@register.filter
def labels_of(codes, kind: str) -> str:
    """A list of codes as its labels joined by 、."""
    return "、".join(label(c, kind) for c in codes or [])


@register.filter
def grouped(value) -> str:
    """1234567.50 → 1,234,567.50 (Decimal-exact: no float, the digits as stored)."""
    text = _grouped(value)
    return str(value) if text is None else text


@register.filter
def money(value):
    """An amount that never wraps mid-number: <span class="amount text-nowrap">1,234.00</span> (Bootstrap's text-nowrap)."""
    text = _grouped(value)
    if text is None:
        return "" if value is None else value
    return format_html('<span class="amount text-nowrap">{}</span>', text)
