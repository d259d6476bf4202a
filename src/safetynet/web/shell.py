"""What every web view shares: login for full pages and htmx fragments alike, the client
address, and turning a `SafetynetError` into a Chinese message beside its form field.

Views only parse, call a service or selector, and render; this module keeps them that thin.
"""

from __future__ import annotations

import re
from functools import wraps

from django.contrib.auth.decorators import login_required as django_login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render

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
    """'Not yours' and 'not there' are one 404; a refused permission is a 403. A `NotFound`
    that names a field (an unknown village) is a form error like any other."""
    if isinstance(error, NotFound) and not error.field:
        raise Http404(error.message)
    if isinstance(error, PermissionDenied):
        raise DjangoPermissionDenied(error.message)


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
