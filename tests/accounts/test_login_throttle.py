"""The login throttle counts failures per account and address, with a separate limit per address:
nobody can lock a named account out from another address, and one machine cannot try many
accounts. Every attempt stays in the audit trail."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from safetynet.accounts.models import LoginFailure
from safetynet.accounts.roles import Role
from safetynet.accounts.services import sign_in
from safetynet.audit.models import AuditRecord
from safetynet.core.errors import AuthenticationFailed, Throttled
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

A, B = "10.0.0.1", "10.0.0.2"


def _fail(username: str, client: str, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationFailed):
            sign_in(username=username, password="wrong-password", client=client)


def test_failures_from_one_address_do_not_block_the_right_password_from_another(settings, make_user):
    user = make_user(Role.TOWNSHIP_CLERK)
    _fail(user.username, A, settings.LOGIN_FAILURE_LIMIT)
    with pytest.raises(Throttled):
        sign_in(username=user.username, password=PASSWORD, client=A)
    assert sign_in(username=user.username, password=PASSWORD, client=B) == user
    # The success at B does not clear what A did: A stays throttled for this account.
    with pytest.raises(Throttled):
        sign_in(username=user.username, password=PASSWORD, client=A)


def test_the_web_login_from_another_address_goes_through(settings, make_user):
    user = make_user(Role.VILLAGE_OFFICER)
    attacker, owner = Client(REMOTE_ADDR=A), Client(REMOTE_ADDR=B)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attacker.post(reverse("web:login"), {"username": user.username, "password": "nope-nope-nope"})
    assert (
        attacker.post(reverse("web:login"), {"username": user.username, "password": PASSWORD}).status_code
        == 429
    )
    r = owner.post(reverse("web:login"), {"username": user.username, "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("web:home")


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_ADDRESS_FAILURE_LIMIT=6)
def test_many_accounts_from_one_address_reach_the_per_address_limit(make_user):
    victims = [make_user(Role.VILLAGE_OFFICER, username=f"officer_{i}") for i in range(3)]
    for v in victims[:2]:
        _fail(v.username, A, 3)  # each account at its own limit from A: 6 failures from A in all
    fresh = victims[2]  # no failure at all for this account, but A has tried too many
    with pytest.raises(Throttled) as refused:
        sign_in(username=fresh.username, password=PASSWORD, client=A)
    assert refused.value.code == "login_throttled"
    assert sign_in(username=fresh.username, password=PASSWORD, client=B) == fresh
    throttled = AuditRecord.objects.get(action="login.throttled")
    assert (throttled.actor, throttled.client) == (fresh.username, A)
    assert throttled.changes == {"channel": "web", "limit": "address"}


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_ADDRESS_FAILURE_LIMIT=100)
def test_below_the_address_limit_other_accounts_from_that_address_still_sign_in(make_user):
    first, second = (
        make_user(Role.VILLAGE_OFFICER, username="o1"),
        make_user(Role.VILLAGE_OFFICER, username="o2"),
    )
    _fail(first.username, A, 3)
    assert sign_in(username=second.username, password=PASSWORD, client=A) == second


def test_every_attempt_is_kept_in_the_audit_trail(settings, make_user):
    user = make_user(Role.TOWNSHIP_CLERK)
    limit = settings.LOGIN_FAILURE_LIMIT
    _fail(user.username, A, limit)
    with pytest.raises(Throttled):
        sign_in(username=user.username, password=PASSWORD, client=A)
    sign_in(username=user.username, password=PASSWORD, client=B)
    failed = AuditRecord.objects.filter(action="login.failed", actor=user.username)
    assert failed.count() == limit and set(failed.values_list("client", flat=True)) == {A}
    throttled = AuditRecord.objects.get(action="login.throttled")
    assert throttled.client == A and throttled.changes["limit"] == "account_address"
    assert AuditRecord.objects.get(action="login").client == B
    # The success at B removed no throttle record of A (and the audit rows are never removed).
    assert LoginFailure.objects.filter(username=user.username, client=A).count() == limit


@override_settings(TRUSTED_PROXIES=["10.9.9.9"])
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(make_user):
    user = make_user(Role.TOWNSHIP_CLERK)
    via_proxy = Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=f"1.2.3.4, {A}")
    via_proxy.post(reverse("web:login"), {"username": user.username, "password": "wrong-password"})
    assert AuditRecord.objects.get(action="login.failed").client == A
    # From anyone else the header is ignored: a client cannot choose its own address.
    spoofing = Client(REMOTE_ADDR=B, HTTP_X_FORWARDED_FOR=A)
    spoofing.post(reverse("web:login"), {"username": user.username, "password": "wrong-password"})
    assert AuditRecord.objects.filter(action="login.failed").latest("pk").client == B
