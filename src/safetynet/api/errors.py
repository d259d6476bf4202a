"""One error shape for the whole API: `{"code", "message", "field"}` JSON.

Our own `SafetynetError`s carry their status, code and field; ninja's own failures (request
validation, an unparseable body, a missing or bad token, an unknown route) are translated into the
same shape with a Chinese message, so a client needs exactly one error parser. `field` is a dotted
path into the request body or query (`members.0.id_number`), or null.
"""

from __future__ import annotations

import json
import logging
import re
from functools import wraps

from django.http import Http404, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from safetynet.core.errors import SafetynetError

logger = logging.getLogger(__name__)

_INDEX = re.compile(r"\[(\d+)\]")
# Where ninja says a value came from; the first element of every validation error's location.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
# The names our views give their body parameter; ninja puts it second in a body error's location.
BODY_PARAM = "payload"


def dotted(field: str | None) -> str | None:
    """`members[0].id_number` (the services' form) → `members.0.id_number` (the API's form)."""
    if not field:
        return None
    return _INDEX.sub(r".\1", field).lstrip(".")


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"code": code, "message": message, "field": field}


def _respond(api: NinjaAPI, request, status: int, body: dict) -> HttpResponse:
    return api.create_response(request, body, status=status)


# ---- request validation (pydantic) ----------------------------------------------------------

_PATTERN_MESSAGES = {
    "village": "村（社区）代码应为12位数字。",
    "township": "乡镇代码应为9位数字。",
    "month": "月份应为 YYYY-MM 格式（如 2026-06）。",
}


def _validation_message(error: dict, field: str | None) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    leaf = field.rsplit(".", 1)[-1] if field else ""
    if kind == "missing":
        return "缺少必填字段。" if field else "缺少请求体。"
    if kind in ("string_type",):
        return "应为字符串。"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "应为整数。"
    if kind in ("bool_type", "bool_parsing"):
        return "应为 true 或 false。"
    if kind.startswith("date"):
        return "应为日期，格式为 YYYY-MM-DD。"
    if kind in ("list_type", "tuple_type"):
        return "应为列表。"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "应为 JSON 对象。"
    if kind in ("literal_error", "enum"):
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"取值无效，应为{'、'.join(a or '（空）' for a in allowed)}之一。" if allowed else "取值无效。"
    if kind == "string_pattern_mismatch":
        return _PATTERN_MESSAGES.get(leaf, "格式不正确。")
    if kind == "string_too_long":
        return f"长度不能超过{ctx.get('max_length')}个字符。"
    if kind == "string_too_short":
        return "不能为空。" if ctx.get("min_length") == 1 else f"长度不能少于{ctx.get('min_length')}个字符。"
    if kind == "too_short":  # a list
        return f"至少需要{ctx.get('min_length')}项。"
    if kind == "too_long":
        return f"最多{ctx.get('max_length')}项。"
    if kind == "greater_than_equal":
        return f"不能小于{ctx.get('ge')}。"
    if kind == "less_than_equal":
        return f"不能大于{ctx.get('le')}。"
    if kind == "greater_than":
        return f"应大于{ctx.get('gt')}。"
    if kind == "less_than":
        return f"应小于{ctx.get('lt')}。"
    if kind == "extra_forbidden":
        return "不支持该字段。"
    if kind == "json_invalid":
        return "请求体不是有效的 JSON。"
    return "取值无效。"


def _location(loc) -> str | None:
    parts = list(loc or ())
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == BODY_PARAM:
            parts.pop(0)
    return ".".join(str(p) for p in parts) or None


def validation_error_body(exc: ValidationError) -> dict:
    first = exc.errors[0] if exc.errors else {}
    field = _location(first.get("loc"))
    message = _validation_message(first, field)
    if field:
        message = f"{field}：{message}"
    return error_body("invalid", message, field)


# ---- wiring ---------------------------------------------------------------------------------


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every failure into the one error shape."""

    @api.exception_handler(SafetynetError)
    def on_safetynet_error(request, exc: SafetynetError):
        body = error_body(exc.code, exc.message, dotted(exc.field))
        # An error may name more than one problem (a rejected bank result file: `problems`).
        body.update({k: v for k, v in exc.as_dict().items() if k not in body})
        return _respond(api, request, exc.status, body)

    @api.exception_handler(ValidationError)
    def on_validation_error(request, exc: ValidationError):
        return _respond(api, request, 400, validation_error_body(exc))

    @api.exception_handler(AuthenticationError)
    def on_authentication_error(request, exc: AuthenticationError):
        response = _respond(
            api,
            request,
            401,
            error_body(
                "not_authenticated",
                "未提供访问令牌，或令牌无效、已过期。请先通过 POST /api/v1/auth/token 获取令牌。",
            ),
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            body = error_body("malformed_json", "请求体不是有效的 JSON。")
        else:
            body = error_body(f"http_{exc.status_code}", str(exc))
        return _respond(api, request, exc.status_code, body)

    @api.exception_handler(MultiPartParserError)
    def on_malformed_multipart(request, exc: MultiPartParserError):
        # A multipart body without a boundary (or cut short) cannot be read at all: the client's fault.
        return _respond(
            api,
            request,
            400,
            error_body(
                "malformed_multipart", "请求体不是有效的 multipart/form-data（缺少或无效的 boundary）。"
            ),
        )

    @api.exception_handler(Http404)
    def on_404(request, exc: Http404):
        return _respond(api, request, 404, error_body("not_found", "未找到请求的资源。"))

    @api.exception_handler(Exception)
    def on_unexpected(request, exc: Exception):
        logger.exception("unhandled API error on %s %s", request.method, request.path)
        return _respond(api, request, 500, error_body("server_error", "服务器内部错误，请稍后重试。"))


# The largest id a database row can have (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def ids_in_range(view):
    """An id in the path beyond any row's (`/households/9223372036854775808`) is simply not there;
    without this it reached the database driver and answered 500."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if any(isinstance(v, int) and not -MAX_ID <= v <= MAX_ID for v in kwargs.values()):
            body = error_body("not_found", "未找到请求的资源。")
            return HttpResponse(
                json.dumps(body, ensure_ascii=False),
                status=404,
                content_type="application/json; charset=utf-8",
            )
        return view(request, *args, **kwargs)

    return wrapped


def json_method_not_allowed(view):
    """ninja answers an unsupported method with a plain-text 405; give it the error shape."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allow = response.get("Allow", "")
            body = error_body("method_not_allowed", f"该接口不支持 {request.method} 方法（支持：{allow}）。")
            new = HttpResponse(
                json.dumps(body, ensure_ascii=False),
                status=405,
                content_type="application/json; charset=utf-8",
            )
            new["Allow"] = allow
            return new
        return response

    return wrapped
