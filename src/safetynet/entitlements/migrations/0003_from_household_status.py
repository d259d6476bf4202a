"""The filed statuses (cases.HouseholdStatus, 录入建档) become the first rows of the timeline: each
from its effective month, closed by the household's next status; the review due date from the
parameters in force then (`review.interval_months`; 刚性 rows end after `rigid.valid_months`)."""

import datetime as dt

from django.db import migrations


def _add_months(day, months):
    y, m = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + y, m + 1, min(day.day, 28))


def forwards(apps, schema_editor):
    from safetynet.policy import load_parameters

    Status = apps.get_model("cases", "HouseholdStatus")
    Entitlement = apps.get_model("entitlements", "Entitlement")
    Member = apps.get_model("entitlements", "EntitlementMember")
    Membership = apps.get_model("registry", "Membership")
    sets = {}
    by_household = {}
    for s in Status.objects.order_by("household_id", "effective_month", "id").select_related(
        "household__village"
    ):
        by_household.setdefault(s.household_id, []).append(s)
    for rows in by_household.values():
        # One row per start month: of statuses effective the same month, the last filed counts.
        starts = {}
        for s in rows:
            starts[s.effective_month] = s
        ordered = [starts[k] for k in sorted(starts)]
        previous = None
        for i, s in enumerate(ordered):
            county = s.household.village.code[:6]
            params = sets.setdefault(county, load_parameters(county))
            on = params.on(s.effective_month)
            nxt = ordered[i + 1].effective_month if i + 1 < len(ordered) else None
            rigid = s.category == "rigid_hardship"
            ends = _add_months(s.effective_month, int(on["rigid.valid_months"])) if rigid else None
            until = min(d for d in (nxt, ends) if d) if (nxt or ends) else None
            row = Entitlement.objects.create(
                household_id=s.household_id,
                valid_from=s.effective_month,
                valid_until=until,
                end_basis=("admission" if nxt and until == nxt else ("expiry" if until else "")),
                category=s.category,
                monitoring_marked=s.monitoring_marked,
                monitoring_type=s.monitoring_type,
                benefit_monthly=s.benefit_monthly,
                basis="admission",
                case_id=s.case_id,
                decision_id=s.decision_id,
                decided_on=s.approved_on,
                parameters_version=s.decision.parameters_version if s.decision_id else "",
                review_due=None
                if rigid
                else _add_months(s.effective_month, int(on["review.interval_months"])),
                reason=s.filing_note or "",
                previous=previous
                if previous is not None and previous.valid_until == s.effective_month
                else None,
                created_by_id=s.filed_by_id,
            )
            own = {int(m["person_id"]): m for m in (s.members or []) if m.get("person_id")}
            counted = Membership.objects.filter(
                household_id=s.household_id, counted=True, joined_on__lte=s.effective_month
            ).exclude(left_on__lt=s.effective_month)
            parts = []
            for pid in counted.values_list("person_id", flat=True).distinct():
                m = own.pop(pid, None)
                parts.append(
                    Member(
                        entitlement=row,
                        person_id=pid,
                        category=(m or {}).get("category") or s.category,
                        benefit_monthly=(m or {}).get("benefit_monthly") or 0,
                    )
                )
            parts += [
                Member(
                    entitlement=row,
                    person_id=pid,
                    category=m.get("category", ""),
                    benefit_monthly=m.get("benefit_monthly") or 0,
                )
                for pid, m in own.items()
            ]
            Member.objects.bulk_create(parts)
            previous = row


class Migration(migrations.Migration):
    dependencies = [
        ("entitlements", "0002_no_overlap_postgresql"),
        ("cases", "0001_initial"),
        ("registry", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
