"""Production settings as probed from outside: the Content-Security-Policy the pages satisfy (no
template holds inline script or style), Secure cookies and HSTS behind SAFETYNET_HTTPS=1, and a
session that ends at browser close or after 30 idle minutes."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from safetynet.web.security import SEEN
from tests.conftest import PASSWORD

SRC = Path(__file__).resolve().parents[2] / "src"
TEMPLATES = sorted(SRC.rglob("templates/**/*.html"))

# What a Content-Security-Policy without 'unsafe-inline' refuses, as written in a template.
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "style element": re.compile(r"<style[\s>]", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "htmx inline handler": re.compile(r"\shx-on[:-]", re.I),
}


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 20 and any(p.name == "base.html" for p in TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_template_holds_inline_script_or_style(template):
    text = template.read_text(encoding="utf-8")
    found = {kind: m.group(0) for kind, pattern in INLINE.items() if (m := pattern.search(text))}
    assert not found, found


def test_the_inline_check_would_catch_each_kind():
    samples = [
        "<script>alert(1)</script>",
        "<style>p{}</style>",
        '<p style="color:red">',
        '<button onclick="go()">',
        '<a href="javascript:print()">',
        '<div hx-on:click="x">',
    ]
    for sample, pattern in zip(samples, INLINE.values()):
        assert pattern.search(sample), sample
    assert not INLINE["inline script"].search('<script src="/static/a.js" defer></script>')
    assert not INLINE["inline script"].search('<script id="d" type="application/json">[]</script>')


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.strip() for d in header.split(";") if d.strip()}


@pytest.mark.django_db
def test_every_page_sends_the_security_headers(users):
    c = Client()
    assert c.login(username=users["township_clerk"].username, password=PASSWORD)
    for url in (reverse("web:login"), reverse("web:home"), reverse("web:search"), "/policy/parameters/"):
        r = c.get(url)
        assert r.status_code in (200, 302), url
        policy = _policy(r)
        assert policy["script-src"] == "script-src 'self'"
        assert policy["style-src"] == "style-src 'self'"
        assert policy["frame-ancestors"] == "frame-ancestors 'none'"
        assert policy["object-src"] == "object-src 'none'"
        assert "unsafe-inline" not in r["Content-Security-Policy"]
        assert "unsafe-eval" not in r["Content-Security-Policy"]
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["X-Frame-Options"] == "DENY"
        assert r["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_pages_load_scripts_and_styles_only_from_this_server(users):
    c = Client()
    c.force_login(users["county_civil"])
    for url in (reverse("web:home"), "/policy/simulate/"):
        html = c.get(url).content.decode()
        for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
            assert src.startswith("/static/"), src
    # htmx is told not to inject its own <style> or to eval, which the policy would refuse.
    config = re.search(r"name=\"htmx-config\" content='([^']+)'", c.get(reverse("web:home")).content.decode())
    config = json.loads(config.group(1))
    assert config["includeIndicatorStyles"] is False and config["allowEval"] is False


@pytest.mark.django_db
def test_the_api_docs_page_keeps_scripts_to_this_server():
    r = Client().get("/api/v1/docs")
    assert r.status_code == 200
    assert _policy(r)["script-src"] == "script-src 'self'"
    assert all(
        'src="' in tag or 'type="application/json"' in tag
        for tag in re.findall(r"<script[^>]*>", r.content.decode())
    )


def _settings_with(tmp_path, **env) -> dict:
    """The settings module as a fresh process computes them from the environment."""
    code = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "print(json.dumps({k: getattr(s, k, None) for k in ("
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS',"
        "'SESSION_EXPIRE_AT_BROWSER_CLOSE', 'SESSION_COOKIE_AGE', 'SECURE_PROXY_SSL_HEADER')}))"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SAFETYNET_")}
    environ.update(SAFETYNET_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="safetynet.settings", **env)
    out = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_https_deployments_get_secure_cookies_and_hsts_and_the_demo_does_not(tmp_path):
    demo = _settings_with(tmp_path)
    assert demo["SESSION_COOKIE_SECURE"] is False and demo["CSRF_COOKIE_SECURE"] is False
    assert demo["SECURE_HSTS_SECONDS"] == 0  # plain http on 127.0.0.1 must keep working
    served = _settings_with(tmp_path, SAFETYNET_HTTPS="1")
    assert served["SESSION_COOKIE_SECURE"] is True and served["CSRF_COOKIE_SECURE"] is True
    assert served["SECURE_HSTS_SECONDS"] >= 31536000
    assert served["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    for s in (demo, served):
        assert s["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True and s["SESSION_COOKIE_AGE"] == 30 * 60
    assert _settings_with(tmp_path, SAFETYNET_SESSION_IDLE_MINUTES="10")["SESSION_COOKIE_AGE"] == 600


@pytest.mark.django_db
@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True, SECURE_HSTS_SECONDS=31536000)
def test_over_https_the_cookies_are_secure_and_hsts_is_sent(users):
    c = Client()
    r = c.get(reverse("web:login"), secure=True)
    assert r["Strict-Transport-Security"].startswith("max-age=31536000")
    assert r.cookies["csrftoken"]["secure"]
    r = c.post(
        reverse("web:login"),
        {"username": users["auditor"].username, "password": PASSWORD, "csrfmiddlewaretoken": "x"},
        secure=True,
    )
    assert r.status_code == 302
    session = r.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


@pytest.mark.django_db
def test_the_session_cookie_ends_with_the_browser(users):
    c = Client()
    r = c.post(reverse("web:login"), {"username": users["auditor"].username, "password": PASSWORD})
    cookie = r.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie


@pytest.mark.django_db
def test_an_active_session_is_kept_alive_and_an_idle_one_ends(users, settings):
    c = Client()
    c.post(reverse("web:login"), {"username": users["auditor"].username, "password": PASSWORD})
    key = c.cookies["sessionid"].value
    row = Session.objects.get(session_key=key)
    assert abs((row.expire_date - timezone.now()) - dt.timedelta(minutes=30)) < dt.timedelta(minutes=1)

    # A request soon after sign-in writes nothing (the expiry moves at most once a minute).
    before = row.expire_date
    assert c.get(reverse("web:home")).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == before

    # Some minutes later the next request pushes the expiry forward by the idle timeout.
    store = c.session
    store[SEEN] -= 10 * 60
    store.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=20))
    assert c.get(reverse("web:home")).status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed - timezone.now() > dt.timedelta(minutes=29)

    # Idle past the timeout: the session is gone and the page asks to sign in again.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    r = c.get(reverse("web:home"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("web:login"))
