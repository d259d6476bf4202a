"""提标: one batch decision re-computes every recipient's amount from the date, with a letter and
an SMS to each family; never twice for the same date; households with an open case set aside."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from safetynet.assessments.inputs import household_input
from safetynet.assessments.services import assess_payload
from safetynet.audit.models import AuditRecord
from safetynet.audit.services import SYSTEM
from safetynet.cases import services
from safetynet.cases.models import Letter, Message
from safetynet.core.errors import Conflict, PermissionDenied, ValidationFailed
from safetynet.entitlements import selectors
from safetynet.entitlements import services as ent
from safetynet.entitlements.models import Entitlement
from tests.conftest import VILLAGE_A, VILLAGE_C, member

pytestmark = pytest.mark.django_db
D = dt.date
NEW_YEAR = D(2026, 1, 1)


START = D(2025, 3, 1)


def _admit(h, category, amount, start=START):
    return ent.open_row(
        household=h,
        valid_from=start,
        terms=ent.Terms(category=category, benefit_monthly=Decimal(amount)),
        basis="admission",
        decided_on=start,
        actor=SYSTEM,
    )


def _engine_amount(h, on) -> Decimal:
    h.refresh_from_db()
    data = household_input(h, list(h.memberships.filter(left_on__isnull=True)))
    return Decimal(str(assess_payload(data, on=on, trace=False)["benefit_monthly"]))


@pytest.fixture
def families(make_household):
    poor = make_household(
        VILLAGE_A,
        members=[member("head", name="王大山", phone="13912345678"), member("spouse", name="李秀英")],
    )
    other = make_household(VILLAGE_C, members=[member("head", name="周二", birth=D(1985, 2, 2))])
    edge = make_household(VILLAGE_A, members=[member("head", name="钱边缘")])
    return poor, other, edge


def test_the_new_standard_changes_every_recipients_amount_from_the_date(
    families, users, django_capture_on_commit_callbacks
):
    poor, other, edge = families
    old = _engine_amount(poor, D(2025, 3, 1))
    _admit(poor, "dibao", old)
    _admit(other, "dibao", _engine_amount(other, D(2025, 3, 1)))
    _admit(edge, "dibao_edge", "0")
    new = _engine_amount(poor, NEW_YEAR)
    assert new != old  # the 2026 standard differs from 2025's (policy parameters)
    with django_capture_on_commit_callbacks(execute=True):
        change = services.apply_standard_change(
            user=users["county_civil"], effective_from=NEW_YEAR, document="乡民发〔2025〕30号"
        )
    assert (change.households, change.changed) == (2, 2)
    row = selectors.entitlement_on(poor, NEW_YEAR)
    assert (row.basis, row.benefit_monthly, row.category) == ("standard", new, "dibao")
    assert selectors.entitlement_on(poor, D(2025, 12, 31)).benefit_monthly == old
    assert Entitlement.objects.filter(household=edge).count() == 1  # no cash benefit: untouched
    letter = Letter.objects.get(household=poor)
    assert letter.kind == "standard" and "乡民发〔2025〕30号" in letter.text and f"{new:,.2f}" in letter.text
    assert Message.objects.get(household=poor).status == "sent"
    assert change.total_after - change.total_before == sum(
        (
            selectors.entitlement_on(h, NEW_YEAR).benefit_monthly
            - selectors.entitlement_on(h, D(2025, 12, 1)).benefit_monthly
        )
        for h in (poor, other)
    )
    assert AuditRecord.objects.filter(action="standard_change.apply").count() == 1
    with pytest.raises(Conflict):
        services.apply_standard_change(user=users["county_civil"], effective_from=NEW_YEAR, document="重复")
    assert Entitlement.objects.filter(basis="standard").count() == 2


def test_households_with_an_open_case_are_set_aside_and_bad_input_is_refused(families, users, clock):
    poor, other, _ = families
    _admit(poor, "dibao", _engine_amount(poor, D(2025, 3, 1)))
    _admit(other, "dibao", _engine_amount(other, D(2025, 3, 1)))
    clock.set(D(2025, 12, 10))
    services.accept_case(user=users["township_clerk"], household=poor, summary="复核")
    with pytest.raises(PermissionDenied):
        services.apply_standard_change(user=users["township_clerk"], effective_from=NEW_YEAR, document="文")
    with pytest.raises(ValidationFailed) as e:
        services.apply_standard_change(
            user=users["county_civil"], effective_from=D(2026, 1, 5), document="文"
        )
    assert e.value.field == "effective_from"
    with pytest.raises(ValidationFailed) as e:
        services.apply_standard_change(user=users["county_civil"], effective_from=NEW_YEAR, document=" ")
    assert e.value.field == "document"
    change = services.apply_standard_change(
        user=users["county_civil"], effective_from=NEW_YEAR, document="文"
    )
    assert change.changed == 1 and [s["household"] for s in change.skipped] == [poor.pk]
    assert selectors.entitlement_on(poor, NEW_YEAR).basis == "admission"


def test_the_standard_page_and_api(families, users):
    from django.test import Client

    from tests.api.conftest import ApiClient
    from tests.conftest import PASSWORD

    poor, *_ = families
    _admit(poor, "dibao", _engine_amount(poor, START))
    web = Client()
    assert web.login(username=users["county_civil"].username, password=PASSWORD)
    assert 'id="standard-form"' in web.get("/cases/standard-changes/").content.decode()
    r = web.post("/cases/standard-changes/", {"effective_from": "2026-01-05", "document": "文"})
    assert r.status_code == 400 and "某月1日" in r.content.decode()
    r = web.post(
        "/cases/standard-changes/", {"effective_from": "2026-01-01", "document": "乡民发〔2025〕30号"}
    )
    assert r.status_code == 302
    api = ApiClient(users["county_civil"])
    items = api.get("/standard-changes").json()["items"]
    assert [(i["effective_from"], i["changed"]) for i in items] == [("2026-01-01", 1)]
    again = api.post("/standard-changes", {"effective_from": "2026-01-01", "document": "再次"})
    assert again.status_code == 409 and again.json()["code"] == "already_applied"
    clerk = Client()
    assert clerk.login(username=users["village_officer"].username, password=PASSWORD)
    assert 'id="standard-form"' not in clerk.get("/cases/standard-changes/").content.decode()
