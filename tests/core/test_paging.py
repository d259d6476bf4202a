"""A page of a sorted queryset is read sorted to the row's key (`core.paging`), so the pages of a
sort that ties neither repeat nor skip a row: the web's lists (tests/web/test_lists.py pages tied
leads) and every `offset`/`limit` list of the API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from safetynet.audit.models import AuditRecord
from safetynet.cases.models import Lead
from safetynet.core.paging import ended_by_key, window
from safetynet.entitlements.models import Entitlement

API = Path(__file__).resolve().parents[2] / "src" / "safetynet" / "api"


def test_a_sort_that_ties_ends_with_the_key():
    assert ended_by_key(Lead.objects.order_by("channel")).query.order_by == ("channel", "pk")
    assert ended_by_key(Lead.objects.order_by("-village__code")).query.order_by == ("-village__code", "pk")


def test_a_sort_that_holds_the_key_is_left_as_it_is():
    for order in (("-received_at", "-id"), ("pk",), ("channel", "-pk")):
        assert ended_by_key(Lead.objects.order_by(*order)).query.order_by == order


def test_a_sort_by_a_unique_column_is_left_as_it_is():
    """An audit record's `seq` is unique: the audit log keeps reading its page from that index."""
    assert ended_by_key(AuditRecord.objects.order_by("-seq")).query.order_by == ("-seq",)
    assert ended_by_key(AuditRecord.objects.all()).query.order_by == ()  # its own sort: -seq
    assert ended_by_key(AuditRecord.objects.order_by("action")).query.order_by == ("action", "pk")


def test_the_models_own_sort_is_kept_and_ended_by_the_key():
    assert Entitlement._meta.ordering == ["household_id", "valid_from"]
    assert ended_by_key(Entitlement.objects.all()).query.order_by == ("household_id", "valid_from", "pk")
    assert ended_by_key(Entitlement.objects.order_by()).query.order_by == ("pk",)


def test_distinct_values_are_left_sorted_by_what_they_select():
    qs = Lead.objects.order_by("channel").values_list("channel", flat=True).distinct()
    assert ended_by_key(qs).query.order_by == ("channel",)


@pytest.mark.django_db
def test_a_window_is_the_slice_of_the_sort_ended_by_the_key():
    sql = str(window(Lead.objects.order_by("channel"), 40, 20).query)
    assert re.search(r'ORDER BY "cases_lead"\."channel" ASC, "cases_lead"\."id" ASC LIMIT 20 OFFSET 40$', sql)


def test_every_offset_list_of_the_api_takes_its_window():
    plain = [
        f"{path.name}:{n}"
        for path in sorted(API.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\[\s*offset\s*:", line)
    ]
    assert plain == [], "slice through core.paging.window"
