"""What every web view shares: login for full pages and htmx fragments alike, the client
address, turning a `SafetynetError` into a Chinese message beside its form field, and the one
renderer of every other web error.

Views only parse, call a service or selector, and render; this module keeps them that thin. A
`SafetynetError` a view does not handle as a form error (a refused permission, an object not there
or not yours, a transition that does not apply, a stale version) propagates out of the view and
`ErrorPages` answers it: NotFound 404, PermissionDenied 403, ValidationFailed 400, Conflict 409,
Throttled 429, as a styled Chinese page with a way back (or, for htmx, the same message as a
fragment). Django's own 400/403/404 and a failed CSRF check come to the same renderer (urls.py's
handlers and `CSRF_FAILURE_VIEW`). A permission denial is never answered 200.
"""

from __future__ import annotations

import re
from functools import wraps

from django.contrib.auth.decorators import login_required as django_login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from safetynet.accounts.clients import client_address
from safetynet.core.errors import NotFound, PermissionDenied, SafetynetError

FORM = "form"  # the key of an error that belongs to the whole form rather than one field
_MEMBER_PREFIX = re.compile(r"^members\[\d+\]\.")


def is_htmx(request) -> bool:
    """A fragment request from htmx (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def login_required(view):
    """Django's login_required, except that an htmx fragment request whose session ended sends
    the whole page to the login form instead of swapping the login page into a table cell."""
    wrapped = django_login_required(view)

    @wraps(view)
    def inner(request, *args, **kwargs):
        if not request.user.is_authenticated and is_htmx(request):
            response = HttpResponse(status=401)
            current = request.headers.get("HX-Current-URL") or request.get_full_path()
            response["HX-Redirect"] = redirect_to_login(current).url
            return response
        return wrapped(request, *args, **kwargs)

    return inner


def client_of(request) -> str:
    """The caller's address as the audit trail records it (see accounts.clients)."""
    return client_address(request)


def raise_if_not_form_error(error: SafetynetError) -> None:
    """'Not yours' and 'not there' are one 404; a refused permission is a 403 (both rendered by
    `ErrorPages`). A `NotFound` that names a field (an unknown village) is a form error."""
    if (isinstance(error, NotFound) and not error.field) or isinstance(error, PermissionDenied):
        raise error


def errors_of(error: SafetynetError, fields) -> dict[str, str]:
    """{form field: message}: `members[0].id_number` is the head form's `id_number`; a field the
    form does not show (`version`, `members`) goes to the top of the form."""
    raise_if_not_form_error(error)
    name = _MEMBER_PREFIX.sub("", error.field or "")
    return {name if name in fields else FORM: error.message}


def status_of(error: SafetynetError) -> int:
    return error.status if error.status in (409, 429) else 400


def render_form_error(request, template: str, context: dict, error: SafetynetError, fields) -> HttpResponse:
    """Re-render the form with the user's input and the message beside its field."""
    context = {**context, "errors": errors_of(error, fields)}
    return render(request, template, context, status=status_of(error))


def retarget(response: HttpResponse, target: str, swap: str = "outerHTML") -> HttpResponse:
    """Tell htmx to put a successful answer somewhere other than where the form asked."""
    response["HX-Retarget"] = target
    response["HX-Reswap"] = swap
    return response


# ---- the one renderer of web errors ---------------------------------------------------------

ERROR_TITLES = {
    400: "请求无法处理",
    401: "请先登录",
    403: "无权执行此操作",
    404: "未找到",
    409: "操作冲突",
    429: "操作过于频繁",
}
DEFAULT_MESSAGES = {
    400: "请求无法处理，请检查后重试。",
    401: "请先登录。",
    403: "您的角色无权查看此页面或执行此操作。",
    404: "您要找的内容不存在，或不在您的管辖范围内。",
    409: "该内容已被他人修改或状态已变化，请刷新页面后重试。",
    429: "操作过于频繁，请稍后再试。",
}


def _way_back(request) -> str:
    """The page the user came from when it is on this site, else the home page."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, {request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return reverse("web:home")


def render_error(request, error: SafetynetError | None = None, *, status: int = 400, message: str = ""):
    """The page (or htmx fragment) for a web error: its status, a Chinese message, a way back."""
    if error is not None:
        status, message = error.status, error.message
    if status == 404:
        message = ""  # 'not yours' and 'not there' read exactly alike, whatever the view said
    context = {
        "status": status,
        "title": ERROR_TITLES.get(status, "请求无法处理"),
        "message": message or DEFAULT_MESSAGES.get(status, DEFAULT_MESSAGES[400]),
        "back": _way_back(request),
    }
    template = "web/partials/error.html" if is_htmx(request) else "web/error.html"
    return render(request, template, context, status=status)


class ErrorPages:
    """Middleware: any `SafetynetError`, `PermissionDenied` or `Http404` a web view lets through
    is answered by `render_error` (the API answers its own, as JSON, before this is reached)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, SafetynetError):
            return render_error(request, exception)
        if isinstance(exception, DjangoPermissionDenied):
            return render_error(request, status=403, message=_chinese(exception))
        if isinstance(exception, Http404):
            return render_error(request, status=404, message=_chinese(exception))
        return None


def _chinese(exception) -> str:
    """A message written for users (Chinese) is shown; Django's or a developer's English is not."""
    text = str(exception.args[0]) if exception.args else ""
    return "" if text.isascii() else text


# Django's handlers (urls.py) and CSRF_FAILURE_VIEW, for errors raised outside a view.
def bad_request(request, exception=None):
    return render_error(request, status=400)


def permission_denied(request, exception=None):
    return render_error(request, status=403, message=_chinese(exception) if exception else "")


def page_not_found(request, exception=None):
    return render_error(request, status=404)


def csrf_failure(request, reason: str = ""):
    return render_error(request, status=403, message="页面已过期或来源无法确认，请刷新页面后重试。")
