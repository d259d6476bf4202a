"""One renderer for every web error (web/shell.py): a `SafetynetError` a view lets through, Django's
own 403/404 and a failed CSRF check all answer a styled Chinese page with its status and a way back
— never a 200 for a refusal."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path

from safetynet.core.errors import Conflict, NotFound, PermissionDenied, Throttled, ValidationFailed
from safetynet.urls import handler400, handler403, handler404  # noqa: F401 (this urlconf's too)
from safetynet.urls import urlpatterns as site_urlpatterns
from tests.conftest import PASSWORD
from tests.web.conftest import HTMX

ERRORS = {
    "not_found": (NotFound("没有这条记录。"), 404),
    "denied": (PermissionDenied("您的角色无权核对此户。"), 403),
    "invalid": (ValidationFailed("当前状态下不能执行该操作。", code="unknown_transition"), 400),
    "conflict": (Conflict("该案件已被他人修改，请刷新后重试。", code="stale_version"), 409),
    "throttled": (Throttled("操作过于频繁。"), 429),
}


def raising(request, kind: str):
    raise ERRORS[kind][0]


urlpatterns = [path("test-errors/<str:kind>/", raising), *site_urlpatterns]
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


@pytest.mark.parametrize("kind", list(ERRORS))
def test_an_error_a_view_lets_through_is_a_styled_chinese_page_with_its_status(kind, users, client_for):
    error, status = ERRORS[kind]
    r = client_for(users["township_clerk"]).post(f"/test-errors/{kind}/")
    assert r.status_code == status
    html = r.content.decode()
    assert '<html lang="zh-hans">' in html and "site.css" in html  # the site's page, styled
    assert 'role="alert"' in html and "返回上一页" in html and "回到首页" in html
    if status == 404:  # not yours and not there read alike: the one 404 message
        assert "您要找的内容不存在，或不在您的管辖范围内。" in html and error.message not in html
    else:
        assert error.message in html


def test_an_htmx_request_gets_the_message_as_a_fragment_with_the_same_status(users, client_for):
    r = client_for(users["township_clerk"]).post("/test-errors/denied/", **HTMX)
    assert r.status_code == 403
    html = r.content.decode()
    assert "<html" not in html and "您的角色无权核对此户。" in html


def test_the_way_back_is_the_referring_page_of_this_site_only(users, client_for):
    c = client_for(users["township_clerk"])
    here = c.post("/test-errors/denied/", HTTP_REFERER="http://testserver/households/")
    assert 'href="http://testserver/households/">返回上一页' in here.content.decode()
    elsewhere = c.post("/test-errors/denied/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in elsewhere.content.decode()


def test_an_unknown_address_is_the_same_404_page(users, client_for):
    r = client_for(users["township_clerk"]).get("/no-such-page/")
    assert r.status_code == 404
    assert "您要找的内容不存在，或不在您的管辖范围内。" in r.content.decode()


def test_a_refused_permission_through_a_real_page_answers_403(users, make_household):
    h = make_household()
    c = Client()
    assert c.login(username=users["auditor"].username, password=PASSWORD)
    r = c.post(f"/policy/households/{h.pk}/assess/")
    assert r.status_code == 403 and "无权" in r.content.decode()


def test_a_failed_csrf_check_is_the_same_page(users):
    c = Client(enforce_csrf_checks=True)
    c.force_login(users["township_clerk"])
    r = c.post("/test-errors/denied/")
    assert r.status_code == 403
    html = r.content.decode()
    assert "页面已过期" in html and "返回上一页" in html
