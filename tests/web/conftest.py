"""Web fixtures: a test client signed in as a named fixture user, and a small register."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from safetynet.accounts.roles import Role
from tests.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_C, member, new_id

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client_for():
    def make(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def officer(make_user):
    """Village officer of 东关村 (village A)."""
    return make_user(Role.VILLAGE_OFFICER, VILLAGE_A, "officer_a")


@pytest.fixture
def register(make_household):
    """Three households: two in 昌宁镇 (villages A and B), one in 光华镇."""
    head_id = new_id(dt.date(1965, 2, 3))
    a = make_household(
        VILLAGE_A,
        members=[
            member(
                "head",
                name="王建国",
                id_number=head_id,
                phone="13912345678",
                bank_account="6222021234567890123",
            ),
            member("spouse", name="李秀英", birth=dt.date(1968, 7, 9)),
        ],
        address="东关街8号",
        alleviated=True,
    )
    b = make_household(VILLAGE_B, members=[member("head", name="赵明")], address="西关街2号")
    c = make_household(VILLAGE_C, members=[member("head", name="孙丽华")], address="光华路5号")
    return {"a": a, "b": b, "c": c, "a_head_id": head_id}
