"""Web pages of the data exchange: a liaison's upload form and upload list, one upload's errors,
and a household's economic-status verification. Parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safetynet.core.errors import NotFound, SafetynetError
from safetynet.registry import selectors as registry_selectors
from safetynet.verification import selectors, services
from safetynet.verification.report import verified_input
from safetynet.verification.sources import ENCODING_LABELS, SOURCES
from safetynet.web import lists
from safetynet.web.lists import filters, tables
from safetynet.web.shell import client_of, login_required, raise_if_not_form_error, status_of


@login_required
@require_http_methods(["GET", "POST"])
def uploads(request):
    mine = selectors.sources_of(request.user)
    if not mine:
        raise Http404
    error, outcome, status = None, None, 200
    if request.method == "POST":
        source = request.POST.get("source", "")
        file = request.FILES.get("file")
        if not file:
            error, status = "请选择要上传的文件。", 400
        else:
            try:
                outcome = services.upload_department_file(
                    user=request.user,
                    source=source,
                    file=file,
                    filename=file.name,
                    encoding=request.POST.get("encoding", "auto"),
                    valid_only=request.POST.get("valid_only") == "on",
                    period=request.POST.get("period") or None,
                    client=client_of(request),
                )
                messages.success(request, f"已上传：{outcome.upload.filename}。")
                response = redirect("verification:upload", pk=outcome.upload.pk)
                if not outcome.created:  # the same file was loaded before: say that nothing changed
                    response["Location"] += "?repeated=1"
                return response
            except SafetynetError as e:
                raise_if_not_form_error(e)
                error, status = e.message, status_of(e)
    base = selectors.uploads_visible_to(request.user).order_by("-id")
    listing = lists.show(request, filters.UploadFilter, base, tables.UploadTable)
    return render(
        request,
        "verification/uploads.html",
        {
            **listing.context(),
            "sources": [SOURCES[c] for c in mine],
            "runs": selectors.comparison_runs(request.user),
            "encodings": ENCODING_LABELS,
            "error": error,
        },
        status=status if status != 200 else listing.status,
    )


@login_required
def upload_detail(request, pk: int):
    try:
        upload = selectors.get_upload(request.user, pk)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "verification/upload_detail.html",
        {"upload": upload, "source": SOURCES[upload.source], "repeated": request.GET.get("repeated") == "1"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_verification(request, pk: int):
    try:
        household = registry_selectors.get_household(request.user, pk)
    except NotFound:
        raise Http404 from None
    error, report, comparison, status = None, None, None, 200
    if request.method == "POST":
        try:
            report = services.request_verification(
                user=request.user,
                household=household,
                consent=request.POST.get("consent") == "on",
                client=client_of(request),
            )
            _, comparison = verified_input(household, report)
        except SafetynetError as e:
            raise_if_not_form_error(e)
            error, status = e.message, status_of(e)
    else:
        last = selectors.reports_of(request.user, household).first()
        if last:
            report = last.report
            _, comparison = verified_input(household, report)
    return render(
        request,
        "verification/household.html",
        {"household": household, "report": report, "comparison": comparison, "error": error},
        status=status,
    )
