"""Template helpers: masked display of personal data, field errors, Chinese labels."""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from safetynet.accounts.roles import Perm
from safetynet.core import masking
from safetynet.registry.models import SELF_CARE_ACTIVITIES, Area
from safetynet.registry.selectors import AreaChoice, area_label
from safetynet.web import labels
from safetynet.web.forms import income_fields
from safetynet.web.lists import frame

register = template.Library()

register.filter("mask_name", masking.mask_name)
register.filter("table_html", frame.table_html)  # web/table.html: the whole table
register.filter("mask_id", masking.mask_id_number)
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_bank", masking.mask_bank_account)
register.filter("action_label", labels.action_label)
register.filter("role_label", labels.role_label)
register.filter("change_rows", labels.change_rows)
register.filter("object_label", labels.object_label)


@register.filter
def can(user, perm: str) -> bool:
    """`user|can:"view_audit"`: what the nav and buttons offer; the services still decide."""
    try:
        return bool(user.is_authenticated and user.can(Perm(perm)))
    except ValueError:
        return False


@register.filter
def self_care_labels(activities) -> str:
    return "、".join(SELF_CARE_ACTIVITIES.get(a, a) for a in activities or [])


@register.filter
def incomes(person) -> str:
    """The person's non-zero incomes of the last 12 months, by type."""
    parts = [
        f"{label} {getattr(person, name)}" for name, label in income_fields() if getattr(person, name, 0)
    ]
    return "；".join(parts)


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key, "")


@register.filter
def contains(values, value) -> bool:
    return value in (values or ())


@register.simple_tag
def field_error(errors, name):
    """The message beside a field; its id lets the input point at it (aria-describedby)."""
    message = (errors or {}).get(name)
    if not message:
        return ""
    return format_html('<p class="field-error" id="err-{}" role="alert">{}</p>', name, message)


@register.simple_tag
def invalid(errors, name):
    """Attributes that mark an input invalid and tie it to its message."""
    if (errors or {}).get(name):
        return format_html('aria-invalid="true" aria-describedby="err-{}"', name)
    return ""


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (pagination links)."""
    params = context["request"].GET.copy()
    for k, v in changes.items():
        params[k] = v
    return params.urlencode()


@register.simple_tag(takes_context=True)
def main_menu(context):
    """The role's menu (web/nav.py): `{% main_menu as menu %}`."""
    from safetynet.web import nav

    request = context.get("request")
    return nav.menu(context.get("user") or getattr(request, "user", None), request)


@register.filter
def indexed(prefix, key) -> str:
    """`"relations"|indexed:12` → `relations[12]`: the form name of one member's field."""
    return f"{prefix}[{key}]"


@register.simple_tag
def area_options(areas, selected) -> str:
    """`{% area_options villages values.village %}`: an `<option>` per area, its code the value,
    a village shown with its township's name; the one whose code is `selected` selected. Written
    in one pass: a county's select lists hundreds of villages. `areas`: Area instances (their
    parents fetched with them) or `registry.selectors.AreaChoice` values."""
    chosen = str(selected or "")
    out = []
    for a in areas:
        if isinstance(a, AreaChoice):
            name = a.label
        else:
            parent = a.parent.name if a.level == Area.Level.VILLAGE and a.parent_id else ""
            name = area_label(a.name, a.level, parent)
        mark = " selected" if a.code == chosen else ""
        out.append(f'<option value="{escape(a.code)}"{mark}>{escape(name)}</option>')
    return mark_safe("".join(out))
