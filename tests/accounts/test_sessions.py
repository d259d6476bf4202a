"""The session store (accounts/sessions.py) reads what Django's database store reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from safetynet.accounts.sessions import SessionStore
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _stored(data: dict, *, expires_in: dt.timedelta) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


@pytest.mark.parametrize(
    "key",
    [
        lambda: _stored({"a": 1, "名": "值"}, expires_in=dt.timedelta(minutes=5)),
        lambda: _stored({"a": 1}, expires_in=-dt.timedelta(seconds=1)),  # expired
        lambda: "x" * 32,  # never stored
    ],
    ids=["live", "expired", "unknown"],
)
def test_it_loads_what_django_s_store_loads_and_drops_a_key_it_cannot_find(key):
    key = key()
    ours, django_s = SessionStore(key), db.SessionStore(key)
    assert ours.load() == django_s.load()
    assert ours.session_key == django_s.session_key


def test_a_live_session_keeps_its_user_and_an_expired_one_signs_out(make_user):
    from safetynet.accounts.roles import Role

    user = make_user(Role.TOWNSHIP_CLERK)
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    assert c.get("/cases/inbox/").status_code == 200
    assert c.session.load()["_auth_user_id"] == str(user.pk)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    r = c.get("/cases/inbox/")
    assert r.status_code == 302 and "/login/" in r["Location"]
