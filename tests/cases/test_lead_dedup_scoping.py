"""A lead's dedup key is global, but the lead that holds it is shown only to those who reach it."""

from __future__ import annotations

import pytest

from safetynet.accounts.roles import Role
from tests.api.conftest import ApiClient
from tests.conftest import GUANGHUA, VILLAGE_A, VILLAGE_C, new_id


def _lead(village: str, summary: str, key: str, channel: str = "grassroots") -> dict:
    return {
        "channel": channel,
        "village": village,
        "summary": summary,
        "subject_name": "王某某",
        "subject_id_number": new_id(),
        "dedup_key": key,
    }


@pytest.mark.django_db
def test_township_clerk_reusing_a_dedup_key_of_another_township_sees_nothing_of_its_lead(make_user):
    changning = ApiClient(make_user(Role.TOWNSHIP_CLERK, None, "clerk_changning"))
    guanghua = ApiClient(make_user(Role.TOWNSHIP_CLERK, GUANGHUA, "clerk_guanghua"))
    first = changning.post("/leads", _lead(VILLAGE_A, "户主患癌症住院", "rule:p1:2026-11"))
    assert first.status_code == 201

    again = guanghua.post("/leads", _lead(VILLAGE_C, "另一情况", "rule:p1:2026-11"))

    assert again.status_code == 409
    assert again.json() == {
        "code": "duplicate_lead",
        "message": "相同去重键的线索已由其他单位登记，未重复登记。",
        "field": "dedup_key",
    }
    assert "癌症" not in again.content.decode()


@pytest.mark.django_db
def test_liaison_reusing_another_liaisons_dedup_key_sees_nothing_of_its_lead(make_user):
    one = ApiClient(make_user(Role.DEPT_LIAISON, "141029", "liaison_yibao"))
    other = ApiClient(make_user(Role.DEPT_LIAISON, "141029", "liaison_canlian"))
    body = _lead(VILLAGE_A, "医保大额自付", "yibao:p2:2026-11", channel="department_warning")
    assert one.post("/leads", body).status_code == 201

    again = other.post("/leads", {**body, "summary": "重复"})

    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_lead"


@pytest.mark.django_db
def test_resubmitting_ones_own_dedup_key_still_answers_the_existing_lead(make_user):
    clerk = ApiClient(make_user(Role.TOWNSHIP_CLERK, None, "clerk_changning"))
    body = _lead(VILLAGE_A, "户主失业", "rule:p3:2026-11")
    first = clerk.post("/leads", body).json()

    again = clerk.post("/leads", body)

    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["created"] is False
