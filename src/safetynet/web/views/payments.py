"""救助金发放 in the web: the payrolls in reach with their totals, a payroll at its step with the
actions the role may take, the bank files, the result import, the worklist of failed payments and
a payee's account. Views parse, call `payments.services`/`selectors` and render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from safetynet.accounts.roles import Perm
from safetynet.core import clock
from safetynet.core.bank_account import ACCOUNT_KINDS
from safetynet.core.errors import SafetynetError, ValidationFailed
from safetynet.payments import accounts, bank, selectors, services
from safetynet.registry.selectors import get_person
from safetynet.web.shell import FORM, client_of, login_required, raise_if_not_form_error, status_of

PAGE = 200


def _month(value: str, field: str = "month") -> dt.date:
    try:
        return dt.date.fromisoformat(f"{(value or '').strip()}-01")
    except ValueError:
        raise ValidationFailed("请选择发放月份（年-月）。", field=field) from None


def _month_filter(request) -> dt.date | None:
    value = request.GET.get("month", "")
    try:
        return dt.date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
@login_required
def payrolls(request):
    user = request.user
    month = _month_filter(request)
    qs = selectors.payrolls_visible_to(user)
    if month:
        qs = qs.filter(month=month)
    context = {
        "payrolls": list(qs[:120]),
        "totals": selectors.totals(qs),
        "month": month,
        "can_prepare": user.can(Perm.PREPARE_PAYROLL) and user.area_id and user.area.level == "township",
        "default_month": clock.today().strftime("%Y-%m"),
        "errors": {},
    }
    if request.method == "POST":
        try:
            p = services.generate_payroll(
                user=user,
                township=user.area.code if user.area_id else "",
                month=_month(request.POST.get("month", "")),
                client=client_of(request),
            )
        except SafetynetError as err:
            raise_if_not_form_error(err)
            context["errors"] = {FORM: err.message}
            return render(request, "payments/list.html", context, status=status_of(err))
        messages.success(request, f"已生成{p}发放名册（草稿）。")
        return redirect(reverse("payments:detail", args=[p.pk]))
    return render(request, "payments/list.html", context)


ACTIONS = {
    "submit": lambda r, p: services.submit_payroll(user=r.user, payroll=p, client=client_of(r)),
    "return": lambda r, p: services.return_payroll(
        user=r.user, payroll=p, reason=r.POST.get("reason", ""), client=client_of(r)
    ),
    "approve": lambda r, p: services.approve_payroll(
        user=r.user,
        payroll=p,
        acknowledge_flags=r.POST.get("acknowledge_flags") == "on",
        note=r.POST.get("note", ""),
        client=client_of(r),
    ),
    "release": lambda r, p: services.release_payroll(
        user=r.user, payroll=p, override_reason=r.POST.get("override_reason", ""), client=client_of(r)
    ),
    "regenerate": lambda r, p: services.generate_payroll(
        user=r.user, township=p.township.code, month=p.month, client=client_of(r)
    ),
    "results": lambda r, p: bank.import_bank_result(
        user=r.user, payroll=p, data=_upload(r), client=client_of(r)
    ),
}
DONE = {
    "submit": "名册已提交县民政局审批。",
    "return": "名册已退回乡镇。",
    "approve": "名册已审批。",
    "release": "名册已发放至银行，可生成银行代发文件。",
    "regenerate": "名册已重新生成。",
    "results": "银行发放结果已导入。",
}


def _upload(request) -> bytes:
    f = request.FILES.get("file")
    if f is None:
        raise ValidationFailed("请选择银行结果文件。", field="file")
    return f.read()


def _detail_context(request, p) -> dict:
    user = request.user
    lines = selectors.lines_of(user, p)
    return {
        "payroll": p,
        "lines": list(lines[:PAGE]),
        "line_count": lines.count(),
        "totals": selectors.totals_of(p),
        "rec": selectors.reconciliation(p),
        "flags": list(p.flags.select_related("person")),
        "receivables": list(p.receivables.prefetch_related("months")),
        "banks": bank.banks_of(p),
        "perm": {
            "prepare": user.can(Perm.PREPARE_PAYROLL),
            "approve": user.can(Perm.APPROVE_PAYROLL),
            "release": user.can(Perm.RELEASE_PAYROLL),
            "download": user.can(Perm.DOWNLOAD_BANK_FILE),
            "results": user.can(Perm.IMPORT_BANK_RESULT),
        },
        "errors": {},
        "problems": [],
    }


@require_http_methods(["GET", "POST"])
@login_required
def payroll_detail(request, pk):
    p = selectors.get_payroll(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise ValidationFailed("未知的操作。", field="action")
        try:
            ACTIONS[action](request, p)
        except SafetynetError as err:
            raise_if_not_form_error(err)
            p.refresh_from_db()
            context = _detail_context(request, p)
            context["errors"] = {err.field or FORM: err.message, "action": action}
            context["problems"] = getattr(err, "problems", [])
            return render(request, "payments/detail.html", context, status=status_of(err))
        messages.success(request, DONE[action])
        return redirect(reverse("payments:detail", args=[p.pk]))
    return render(request, "payments/detail.html", _detail_context(request, p))


@require_POST
@login_required
def bank_file(request, pk):
    name, data = bank.write_bank_file(
        user=request.user,
        payroll=pk,
        bank=request.POST.get("bank", ""),
        fmt=request.POST.get("fmt", "csv"),
        client=client_of(request),
    )
    kind = (
        "text/csv; charset=gbk"
        if name.endswith(".csv")
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    response = HttpResponse(data, content_type=kind)
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@require_http_methods(["GET", "POST"])
@login_required
def failures(request):
    context = {"lines": list(selectors.failed_worklist(request.user)[:PAGE]), "errors": {}}
    context["can_reissue"] = request.user.can(Perm.PREPARE_PAYROLL)
    if request.method == "POST":
        try:
            services.release_for_reissue(
                user=request.user,
                line=request.POST.get("line", ""),
                reason=request.POST.get("reason", ""),
                client=client_of(request),
            )
        except SafetynetError as err:
            raise_if_not_form_error(err)
            context["errors"] = {FORM: err.message}
            return render(request, "payments/failures.html", context, status=status_of(err))
        messages.success(request, "已安排在下一期名册重发。")
        return redirect(reverse("payments:failures"))
    return render(request, "payments/failures.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def payee_account(request, pk):
    person = get_person(request.user, pk)
    context = {
        "person": person,
        "account": accounts.active_account(person),
        "kinds": [(k, v.label) for k, v in ACCOUNT_KINDS.items()],
        "can_change": request.user.can(Perm.MANAGE_PAYEE_ACCOUNT),
        "errors": {},
        "values": {},
    }
    if request.method == "POST":
        context["values"] = request.POST
        try:
            accounts.set_payee_account(
                user=request.user,
                person=person,
                kind=request.POST.get("kind", ""),
                bank=request.POST.get("bank", ""),
                account=request.POST.get("account", ""),
                reason=request.POST.get("reason", ""),
                client=client_of(request),
            )
        except SafetynetError as err:
            raise_if_not_form_error(err)
            context["errors"] = {err.field or FORM: err.message}
            return render(request, "payments/account.html", context, status=status_of(err))
        messages.success(request, "发放账户已变更。")
        return redirect(reverse("payments:account", args=[person.pk]))
    return render(request, "payments/account.html", context)
