"""The demo clock's page (the demo only; core/clock.py): the administrator moves the date forward
so that a public notice can be completed while showing the system. Absent in production."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safetynet.core import clock
from safetynet.web.shell import login_required


@require_http_methods(["GET", "POST"])
@login_required
def demo_clock(request):
    if not clock.demo_clock_on() or request.user.role != "admin":
        raise Http404
    if request.method == "POST":
        if request.POST.get("reset"):
            clock.set_demo_offset(0)
        else:
            try:
                days = int(request.POST.get("days", "0"))
            except ValueError:
                days = 0
            clock.set_demo_offset(clock.demo_offset() + max(0, min(days, 366)))
        return redirect("web:demo_clock")
    return render(request, "web/demo_clock.html", {"today": clock.today(), "days": clock.demo_offset()})
