"""The parameter form: a mistyped effective date is refused beside the field, never taken as today."""

from __future__ import annotations

import pytest
from django.test import Client

from safetynet.assessments.models import ParameterEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["2026-13-01", "明年一月", ""])
def test_new_parameter_value_with_a_mistyped_effective_date_is_refused(users, typed):
    c = Client()
    c.force_login(users["county_civil"])
    r = c.post(
        "/policy/parameters/",
        {
            "name": "dibao.standard_monthly.rural",
            "value": "650",
            "effective_from": typed,
            "reference": "乡宁县通知 第一条",
        },
    )
    assert r.status_code == 400
    assert "请填写生效日期（年-月-日）。" in r.content.decode()
    assert not ParameterEntry.objects.exists()
