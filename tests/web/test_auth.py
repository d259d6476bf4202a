"""Signing in and out of the web UI, throttling, and what the top bar offers each role."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from safetynet.accounts.roles import Perm, Role, has_perm
from safetynet.audit.models import AuditRecord
from tests.conftest import PASSWORD
from tests.web.conftest import HTMX


def test_correct_password_signs_in_and_lands_on_home(users):
    c = Client()
    r = c.post(reverse("web:login"), {"username": "auditor_141029", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("web:home")
    home = c.get(reverse("web:home"))
    assert home.status_code == 200
    assert "审计监督人员" in home.content.decode()
    assert AuditRecord.objects.filter(action="login", actor="auditor_141029").exists()


def test_wrong_password_shows_chinese_error_beside_password_and_keeps_username(users):
    r = Client().post(reverse("web:login"), {"username": "auditor_141029", "password": "wrong-password"})
    assert r.status_code == 400
    html = r.content.decode()
    assert '<p class="field-error" id="err-password" role="alert">用户名或密码错误。</p>' in html
    assert 'value="auditor_141029"' in html
    assert "_auth_user_id" not in Client().session


def test_repeated_failed_logins_are_throttled_even_with_the_right_password(users, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    c = Client()
    for _ in range(3):
        c.post(reverse("web:login"), {"username": "admin_141029", "password": "nope-nope-nope"})
    r = c.post(reverse("web:login"), {"username": "admin_141029", "password": PASSWORD})
    assert r.status_code == 429
    assert "登录失败次数过多" in r.content.decode()
    assert not c.get(reverse("web:home")).wsgi_request.user.is_authenticated


def test_login_follows_a_local_next_but_not_another_site(users):
    c = Client()
    r = c.post(
        reverse("web:login") + "?next=/households/", {"username": "admin_141029", "password": PASSWORD}
    )
    assert r["Location"] == "/households/"
    c = Client()
    r = c.post(
        reverse("web:login"),
        {"username": "admin_141029", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert r["Location"] == reverse("web:home")


def test_logout_is_a_post_and_ends_the_session(users, client_for):
    c = client_for(users["admin"])
    assert c.get(reverse("web:logout")).status_code == 405
    r = c.post(reverse("web:logout"))
    assert r["Location"] == reverse("web:login")
    assert c.get(reverse("web:home")).status_code == 302


def test_anonymous_page_request_goes_to_login_and_htmx_fragment_redirects_the_page(county):
    r = Client().get(reverse("web:search"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("web:login") + "?next=")
    r = Client().get(reverse("web:search"), **HTMX)
    assert r.status_code == 401 and r["HX-Redirect"].startswith(reverse("web:login"))


def test_login_page_is_chinese_and_fits_phones(county):
    html = Client().get(reverse("web:login")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


@pytest.mark.parametrize("role", list(Role))
def test_nav_offers_audit_and_create_only_to_roles_that_may(role, users, client_for):
    html = client_for(users[role.value]).get(reverse("web:home")).content.decode()
    assert ('href="/audit/"' in html) == has_perm(role, Perm.VIEW_AUDIT)
    assert ('href="/households/new/"' in html) == has_perm(role, Perm.CREATE_HOUSEHOLD)
    assert "户档案" in html and "退出" in html


def test_audit_link_is_for_auditor_and_admin(users, client_for):
    for role in (Role.AUDITOR, Role.ADMIN):
        assert 'href="/audit/"' in client_for(users[role.value]).get(reverse("web:home")).content.decode()
    for role in (Role.VILLAGE_OFFICER, Role.TOWNSHIP_CLERK, Role.COUNTY_CIVIL, Role.DEPT_LIAISON):
        assert 'href="/audit/"' not in client_for(users[role.value]).get(reverse("web:home")).content.decode()


def test_top_bar_shows_name_role_and_area(make_user, client_for):
    officer = make_user(Role.VILLAGE_OFFICER, "141029100201", "wang_officer")
    officer.display_name = "王专干"
    officer.save()
    html = client_for(officer).get(reverse("web:home")).content.decode()
    assert "王专干" in html and "村救助帮扶专干" in html and "东关村" in html
