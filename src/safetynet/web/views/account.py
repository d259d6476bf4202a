"""Signing in and out, and the home page."""

from __future__ import annotations

from django.contrib.auth import login as start_session
from django.contrib.auth import logout as end_session
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safetynet.accounts.services import sign_in
from safetynet.cases.tasks_selectors import tasks_for
from safetynet.core import clock
from safetynet.core.errors import SafetynetError
from safetynet.registry import selectors
from safetynet.web.shell import client_of, login_required, render_form_error

LOGIN_FIELDS = ("username", "password")


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "web:home"


@require_http_methods(["GET", "POST"])
def login(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_next_url(request))
    context = {"values": {"username": request.POST.get("username", "")}, "next": _next_url(request)}
    if request.method == "POST":
        try:
            user = sign_in(
                username=request.POST.get("username", ""),
                password=request.POST.get("password", ""),
                client=client_of(request),
                channel="web",
            )
        except SafetynetError as error:
            return render_form_error(request, "web/login.html", context, error, LOGIN_FIELDS)
        start_session(request, user)
        return redirect(_next_url(request))
    return render(request, "web/login.html", context)


@require_POST
def logout(request):
    end_session(request)
    return redirect("web:login")


@require_GET
@login_required
def home(request):
    user = request.user
    households = selectors.households_visible_to(user)
    context = {
        "household_count": households.count(),
        "alleviated_count": households.filter(alleviated=True).count(),
        "member_count": selectors.memberships_visible_to(user).filter(left_on__isnull=True).count(),
        "village_count": selectors.villages_visible_to(user).count(),
        "tasks": tasks_for(user, clock.today()),
    }
    return render(request, "web/home.html", context)
