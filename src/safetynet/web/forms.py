"""Reading posted forms into the registry services' input dataclasses.

Only the shape of the input is checked here (is this a date, is that a number); what the values
mean is checked by the services, whose errors name the same fields the forms use.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from safetynet.core.errors import ValidationFailed
from safetynet.registry.inputs import (
    INCOME_FIELDS,
    MEMBERSHIP_FIELDS,
    PERSON_FIELDS,
    MembershipInput,
    PersonInput,
)
from safetynet.registry.models import SELF_CARE_ACTIVITIES, Person

HOUSEHOLD_FIELDS = ("village", "address", "hukou", "alleviated")
MEMBER_FIELDS = PERSON_FIELDS + MEMBERSHIP_FIELDS
END_FIELDS = ("left_on", "left_reason")
CHECKBOXES = ("alleviated", "major_illness", "fulltime_education", "co_resident")


def checked(post, name: str) -> bool:
    """A ticked checkbox sends "on"; an unticked one sends nothing."""
    return post.get(name, "").strip().lower() not in ("", "0", "off", "false")


def form_values(post) -> dict:
    """The posted values as the templates re-show them after an error."""
    values = {
        k: post.get(k, "").strip() for k in post if k not in ("csrfmiddlewaretoken", "self_care_failed")
    }
    for k in CHECKBOXES:
        values[k] = checked(post, k)
    values["self_care_failed"] = post.getlist("self_care_failed")
    return values


def parse_date(raw: str, field: str, label: str, *, required: bool = False) -> dt.date | None:
    raw = (raw or "").strip()
    if not raw:
        if required:
            raise ValidationFailed(f"请填写{label}。", field=field)
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"{label}“{raw}”不是有效日期（格式如 2024-03-01）。", field=field) from None


def parse_grade(raw: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationFailed("残疾等级应为1至4级。", field="disability_grade")
    return int(raw)


def parse_version(raw: str) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


def parse_person(post, *, current=None) -> PersonInput:
    """A new person's fields, or (with `current`, the person being edited) the edited ones.

    The edit form never shows the stored identifiers: the ID number cannot change there, and a
    blank name, phone or bank account keeps the stored value unless "clear" is ticked."""
    self_care = [a for a in post.getlist("self_care_failed") if a]
    common = {
        "disability_kind": post.get("disability_kind", "").strip(),
        "disability_grade": parse_grade(post.get("disability_grade", "")),
        "major_illness": checked(post, "major_illness"),
        "fulltime_education": checked(post, "fulltime_education"),
        "self_care_failed": self_care,
        "labour_capacity": post.get("labour_capacity", "").strip(),
        # Amounts are checked by the service (yuan, two decimals, not negative).
        **{name: post.get(name, "").strip() for name in INCOME_FIELDS if name in post or current is None},
    }
    if current is None:
        return PersonInput(
            id_number=post.get("id_number", "").strip(),
            name=post.get("name", "").strip(),
            sex=post.get("sex", "").strip() or None,
            birth_date=parse_date(post.get("birth_date", ""), "birth_date", "出生日期"),
            phone=post.get("phone", "").strip(),
            bank_account=post.get("bank_account", "").strip(),
            **common,
        )

    def kept(name: str) -> str:
        if checked(post, f"clear_{name}"):
            return ""
        return post.get(name, "").strip() or getattr(current, name)

    edited = {
        "id_number": current.id_number,
        "name": post.get("name", "").strip() or current.name,
        "phone": kept("phone"),
        "bank_account": kept("bank_account"),
        **common,
    }
    # Fields this form does not show keep their stored values instead of the dataclass defaults.
    kept_as_is = {
        f.name: getattr(current, f.name)
        for f in dataclasses.fields(PersonInput)
        if f.name not in edited and f.name not in ("sex", "birth_date") and hasattr(current, f.name)
    }
    return PersonInput(**edited, **kept_as_is)


def parse_membership(post, *, relation: str | None = None) -> MembershipInput:
    return MembershipInput(
        relation=relation or post.get("relation", "").strip(),
        co_resident=checked(post, "co_resident"),
        not_counted_reason=post.get("not_counted_reason", "").strip(),
        joined_on=parse_date(post.get("joined_on", ""), "joined_on", "加入日期"),
    )


def person_values(person, membership) -> dict:
    """Initial values of the edit form: no plaintext identifier or name (see `parse_person`)."""
    return {
        "disability_kind": person.disability_kind,
        "disability_grade": person.disability_grade or "",
        "major_illness": person.major_illness,
        "fulltime_education": person.fulltime_education,
        "self_care_failed": list(person.self_care_failed or []),
        "labour_capacity": person.labour_capacity,
        "relation": membership.relation,
        "co_resident": membership.co_resident,
        "not_counted_reason": membership.not_counted_reason,
        **{name: str(getattr(person, name)) for name in INCOME_FIELDS},
    }


def income_fields() -> list[tuple[str, str]]:
    return [(name, str(Person._meta.get_field(name).verbose_name)) for name in INCOME_FIELDS]


def self_care_choices() -> list[tuple[str, str]]:
    return list(SELF_CARE_ACTIVITIES.items())
