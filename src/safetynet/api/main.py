"""The REST API (django-ninja) at /api/v1/: a shell that parses, calls a service or selector, renders.

Authentication is a bearer token from `POST /auth/token`; every other endpoint requires it. Every
error, including ninja's own, is `{"code", "message", "field"}` JSON (see `errors`).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import reverse
from ninja import NinjaAPI, Router
from ninja.renderers import JSONRenderer

from safetynet.api import (
    assessments,
    assistance,
    auth,
    campaigns,
    cases,
    dashboard,
    docs,
    entitlements,
    errors,
    family_changes,
    households,
    payments,
    relief,
    reports,
    rosters,
    sittings,
    statistics,
    verification,
    visits,
)
from safetynet.core.errors import NotFound


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8, not \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


def api_root(request, **kwargs):
    return JsonResponse(
        {"docs": reverse("api:openapi-view"), "openapi": reverse("api:openapi-json")},
        json_dumps_params={"ensure_ascii": False},
    )


class SafetynetAPI(NinjaAPI):
    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            if pattern.name == "api-root":
                # ninja's root view only raises Http404 (an HTML page here); point to the docs instead.
                pattern.callback = api_root
            else:
                pattern.callback = errors.ids_in_range(errors.json_method_not_allowed(pattern.callback))
        return patterns


api = SafetynetAPI(
    title="safetynet API",
    version="1",
    description="乡宁县社会救助信息系统接口。认证：先以 POST /auth/token 换取令牌，再以 "
    "`Authorization: Bearer <token>` 调用其他接口。所有错误均为 JSON：`{code, message, field}`。",
    urls_namespace="api",
    renderer=Utf8JSONRenderer(),
    auth=auth.BearerToken(),
    docs=docs.LocalSwagger(settings={"persistAuthorization": True}),
)
errors.install(api)

api.add_router("", auth.router)
api.add_router("", households.router)
api.add_router("", family_changes.router)
api.add_router("", assessments.router)
api.add_router("", verification.router)
api.add_router("", cases.router)
api.add_router("", sittings.router)
api.add_router("", entitlements.router)
api.add_router("", reports.router)
api.add_router("", campaigns.router)
api.add_router("", payments.router)
api.add_router("", rosters.router)
api.add_router("", statistics.router)
api.add_router("", visits.router)
api.add_router("", assistance.router)
api.add_router("", relief.router)
api.add_router("", docs.router)
api.add_router("", dashboard.router)

# Last: any other path under /api/v1/ answers the same JSON 404, not Django's HTML page.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def unknown_route(request, rest: str):
    raise NotFound("接口不存在。", code="not_found")


api.add_router("", fallback)
