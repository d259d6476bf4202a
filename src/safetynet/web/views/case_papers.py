"""The papers of a case: the printable consent letter and investigation form, the refusal letter,
the public notice as a page and as a PDF."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safetynet.cases import pdf, workflow
from safetynet.cases.models import Notice
from safetynet.core import glossary
from safetynet.registry import selectors as registry_selectors
from safetynet.web.shell import login_required
from safetynet.web.views.cases import case_or_404

# ---- printables ---------------------------------------------------------------------------------


@require_GET
@login_required
def print_consent(request, pk=None):
    case = case_or_404(request, pk) if pk else None
    members = list(registry_selectors.current_members(case.household)) if case else []
    return render(
        request,
        "cases/print_consent.html",
        {"case": case, "members": members, "sources": glossary.VERIFICATION_SOURCES.values()},
    )


@require_GET
@login_required
def print_investigation(request, pk=None):
    case = case_or_404(request, pk) if pk else None
    members = list(registry_selectors.current_members(case.household)) if case else []
    return render(
        request,
        "cases/print_investigation.html",
        {
            "case": case,
            "members": members,
            "blank_rows": range(max(0, 6 - len(members))),
            "hardship_causes": glossary.HARDSHIP_CAUSES.values(),
            "risk_events": glossary.RISK_EVENTS.values(),
        },
    )


@require_GET
@login_required
def refusal_letter(request, pk):
    case = case_or_404(request, pk)
    letter = getattr(case, "refusal_letter", None) if case.state == workflow.State.REFUSED else None
    if letter is None:
        raise Http404("该案件没有不予认定告知书。")
    return render(request, "cases/print_refusal.html", {"case": case, "letter": letter})


def _notice(request, pk) -> Notice:
    case = case_or_404(request, pk)
    notice = case.notices.order_by("-id").first()
    if notice is None:
        raise Http404("该案件没有公示。")
    return notice


@require_GET
@login_required
def notice_page(request, pk):
    notice = _notice(request, pk)
    return render(
        request,
        "cases/print_notice.html",
        {"notice": notice, "case": notice.case, "ends_on": notice.earliest_close - dt.timedelta(days=1)},
    )


@require_GET
@login_required
def notice_pdf(request, pk):
    notice = _notice(request, pk)
    data = pdf.notice_pdf(notice)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.case.reference}-{notice.round}.pdf"'
    return response


def _letter(request, pk, letter_id):
    case = case_or_404(request, pk)
    letter = case.letters.filter(pk=letter_id).first()
    if letter is None:
        raise Http404("未找到该告知书。")
    return case, letter


@require_GET
@login_required
def letter_page(request, pk, letter_id):
    case, letter = _letter(request, pk, letter_id)
    return render(request, "cases/print_letter.html", {"case": case, "letter": letter})


@require_GET
@login_required
def letter_pdf(request, pk, letter_id):
    _, letter = _letter(request, pk, letter_id)
    response = HttpResponse(pdf.letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{letter.pk}.pdf"'
    return response
