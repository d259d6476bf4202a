"""Token issue, bearer authentication, wrong passwords, throttling and the login audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from safetynet.accounts.models import ApiToken
from safetynet.accounts.roles import Role
from safetynet.audit.models import AuditRecord
from tests.api.conftest import ApiClient
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _token(client: ApiClient, username: str, password: str, addr: str = "10.1.2.3"):
    client.headers["REMOTE_ADDR"] = addr
    return client.post("/auth/token", {"username": username, "password": password})


def test_token_is_issued_for_the_right_password_and_opens_the_api(make_user, anon):
    user = make_user(Role.TOWNSHIP_CLERK)
    r = _token(anon, user.username, PASSWORD)
    assert r.status_code == 200
    token = r.json()["token"]
    assert set(r.json()) == {"token"} and len(token) >= 32

    r = ApiClient(token=token).get("/households")
    assert r.status_code == 200
    assert r.json() == {"items": [], "count": 0}


def test_token_is_stored_only_as_a_digest(make_user, anon):
    user = make_user(Role.TOWNSHIP_CLERK)
    token = _token(anon, user.username, PASSWORD).json()["token"]
    row = ApiToken.objects.get(user=user)
    assert row.digest != token and len(row.digest) == 64


def test_successful_token_login_is_audited_with_channel_and_client_address(make_user, anon):
    user = make_user(Role.TOWNSHIP_CLERK)
    _token(anon, user.username, PASSWORD, addr="10.9.8.7")
    rec = AuditRecord.objects.get(action="login")
    assert (rec.actor, rec.actor_id, rec.role, rec.area) == (
        user.username,
        user.pk,
        "township_clerk",
        "141029100",
    )
    assert rec.client == "10.9.8.7"
    assert rec.changes == {"channel": "api"}
    assert (rec.object_type, rec.object_id) == ("user", str(user.pk))


def test_wrong_password_answers_401_json_and_is_audited(make_user, anon):
    user = make_user(Role.TOWNSHIP_CLERK)
    r = _token(anon, user.username, "not-the-password")
    assert r.status_code == 401
    assert r.json() == {"code": "invalid_credentials", "message": "用户名或密码错误。", "field": "password"}
    rec = AuditRecord.objects.get(action="login.failed")
    assert rec.actor == user.username and rec.client == "10.1.2.3" and rec.changes == {"channel": "api"}
    assert not ApiToken.objects.exists()


def test_unknown_username_answers_the_same_as_a_wrong_password(make_user, anon):
    user = make_user(Role.TOWNSHIP_CLERK)
    wrong_password = _token(anon, user.username, "not-the-password").json()
    unknown_user = _token(anon, "nobody", PASSWORD).json()
    assert unknown_user == wrong_password


def test_inactive_user_gets_no_token(make_user, anon):
    user = make_user(Role.TOWNSHIP_CLERK)
    user.is_active = False
    user.save()
    assert _token(anon, user.username, PASSWORD).status_code == 401


def test_token_login_is_throttled_after_the_failure_limit_even_with_the_right_password(
    settings, make_user, anon
):
    user = make_user(Role.TOWNSHIP_CLERK)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert _token(anon, user.username, "not-the-password").status_code == 401
    r = _token(anon, user.username, PASSWORD)
    assert r.status_code == 429
    body = r.json()
    assert body["code"] == "login_throttled" and body["field"] == "password"
    assert "分钟后再试" in body["message"]
    assert AuditRecord.objects.filter(action="login.failed").count() == settings.LOGIN_FAILURE_LIMIT
    assert AuditRecord.objects.filter(action="login.throttled", actor=user.username).count() == 1
    assert not ApiToken.objects.exists()


def test_failures_below_the_limit_do_not_throttle(settings, make_user, anon):
    user = make_user(Role.TOWNSHIP_CLERK)
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _token(anon, user.username, "not-the-password")
    assert _token(anon, user.username, PASSWORD).status_code == 200


@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_throttle_follows_the_configured_limit(make_user, anon):
    user = make_user(Role.TOWNSHIP_CLERK)
    assert [_token(anon, user.username, "x" * 12).status_code for _ in range(3)] == [401, 401, 429]


def test_token_request_with_missing_password_names_the_field(anon):
    r = anon.post("/auth/token", {"username": "someone"})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid" and r.json()["field"] == "password"


def test_token_request_with_malformed_json_is_a_400(anon):
    r = anon.post("/auth/token", raw='{"username": "a", ')
    assert r.status_code == 400
    assert r.json() == {"code": "malformed_json", "message": "请求体不是有效的 JSON。", "field": None}


# ---- bearer authentication --------------------------------------------------------------------

NOT_AUTHENTICATED = "not_authenticated"


def test_missing_token_answers_401_json_with_a_bearer_challenge(anon, make_household):
    h = make_household()
    for r in (anon.get("/households"), anon.get(f"/households/{h.pk}"), anon.post("/households", {})):
        assert r.status_code == 401
        assert r.json()["code"] == NOT_AUTHENTICATED and r.json()["field"] is None
        assert r["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Token abc", "Bearer ", "Basic dXNlcjpwYXNz"])
def test_bad_authorization_header_answers_401(county, header):
    c = ApiClient()
    c.headers["HTTP_AUTHORIZATION"] = header
    r = c.get("/households")
    assert r.status_code == 401 and r.json()["code"] == NOT_AUTHENTICATED


def test_expired_token_answers_401(make_user):
    user = make_user(Role.TOWNSHIP_CLERK)
    c = ApiClient(user)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert c.get("/households").status_code == 401


def test_token_of_a_deactivated_user_stops_working(make_user):
    user = make_user(Role.TOWNSHIP_CLERK)
    c = ApiClient(user)
    assert c.get("/households").status_code == 200
    user.is_active = False
    user.save()
    assert c.get("/households").status_code == 401


def test_token_endpoint_needs_no_csrf_token(make_user):
    from django.test import Client

    user = make_user(Role.TOWNSHIP_CLERK)
    r = Client(enforce_csrf_checks=True).post(
        "/api/v1/auth/token",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 200
