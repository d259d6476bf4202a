"""The sign-in backend reads a signed-in user's area with the user (accounts/backends.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from safetynet.accounts.backends import AreaBackend


@pytest.mark.django_db
def test_the_user_comes_with_their_area_in_one_query(users):
    clerk = users["township_clerk"]
    with CaptureQueriesContext(connection) as queries:
        user = AreaBackend().get_user(clerk.pk)
        assert (user.pk, user.area.code) == (clerk.pk, clerk.area.code)
    assert len(queries) == 1


@pytest.mark.django_db
def test_an_inactive_or_missing_user_is_nobody(users):
    clerk = users["township_clerk"]
    clerk.is_active = False
    clerk.save()
    assert AreaBackend().get_user(clerk.pk) is None
    assert AreaBackend().get_user(10**9) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "backend", ["safetynet.accounts.backends.AreaBackend", "django.contrib.auth.backends.ModelBackend"]
)
def test_sessions_of_either_backend_open_pages(users, backend):
    c = Client()
    c.force_login(users["township_clerk"], backend=backend)  # Django's own: sessions from before
    r = c.get("/households/")
    assert r.status_code == 200 and r.wsgi_request.user.pk == users["township_clerk"].pk
