"""One error hierarchy with stable codes.

The API turns any `SafetynetError` into `{"code", "message", "field"}` JSON with its HTTP status;
the web shows `message` beside `field`. Messages are Chinese because users read them.
"""

from __future__ import annotations


class SafetynetError(Exception):
    status = 400
    default_code = "error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


class ValidationFailed(SafetynetError):
    status = 400
    default_code = "invalid"


class AuthenticationFailed(SafetynetError):
    status = 401
    default_code = "authentication_failed"


class PermissionDenied(SafetynetError):
    status = 403
    default_code = "permission_denied"


class NotFound(SafetynetError):
    """Also what an object outside the user's area answers: 'not yours' and 'not there' look alike."""

    status = 404
    default_code = "not_found"


class Conflict(SafetynetError):
    status = 409
    default_code = "conflict"


class Throttled(SafetynetError):
    status = 429
    default_code = "throttled"
