"""The public pages of the procedure, without an account: apply online and follow an application."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from safetynet.cases import services
from safetynet.core.areas import configured_county
from safetynet.core.errors import SafetynetError
from safetynet.registry import selectors as registry_selectors
from safetynet.web.shell import FORM, client_of

# ---- public (no account) --------------------------------------------------------------------


def _public_villages():
    return registry_selectors.villages_in_region(configured_county())


@require_http_methods(["GET", "POST"])
def public_apply(request):
    context = {"villages": _public_villages(), "values": {}, "errors": {}}
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "").strip() for k in ("name", "id_number", "village", "phone", "summary")
        }
        context["values"] = values
        try:
            lead = services.submit_public_application(
                name=values["name"],
                id_number=values["id_number"],
                village_code=values["village"],
                phone=values["phone"],
                summary=values["summary"],
                client=client_of(request),
            )
        except SafetynetError as err:
            context["errors"] = {(err.field or FORM): err.message}
            return render(request, "cases/public_apply.html", context, status=err.status)
        return render(request, "cases/public_applied.html", {"lead": lead})
    return render(request, "cases/public_apply.html", context)


@require_http_methods(["GET", "POST"])
def public_status(request):
    context = {"values": {}, "errors": {}, "status": None}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in ("reference", "id_last4")}
        context["values"] = values
        try:
            context["status"] = services.public_status(
                reference=values["reference"], id_last4=values["id_last4"], client=client_of(request)
            )
        except SafetynetError as err:
            context["errors"] = {FORM: err.message}
            return render(request, "cases/public_status.html", context, status=err.status)
    return render(request, "cases/public_status.html", context)
