"""Response headers and session lifetime that Django does not provide itself.

- `ContentSecurityPolicy` sends `CONTENT_SECURITY_POLICY` on every response. Django 5.2 has no CSP
  of its own; django-csp would do, but the pages need no nonces (no template holds an inline
  script, style or event handler — tests/web/test_security_headers.py checks every template), so a
  fixed header is all it takes and one dependency fewer.
- `SessionIdleTimeout` makes `SESSION_COOKIE_AGE` an idle timeout: Django stores a session's
  expiry (now + that age) whenever it saves the session, so re-saving it keeps an active user
  signed in; doing so at most every `SESSION_REFRESH_SECONDS` spares a database write per request.
"""

from __future__ import annotations

import time

from django.conf import settings

SEEN = "_safetynet_seen"  # when the session's expiry was last pushed forward (epoch seconds)


class ContentSecurityPolicy:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


def mark_seen(session) -> None:
    session[SEEN] = int(time.time())


class SessionIdleTimeout:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            seen = session.get(SEEN)
            if seen is None or time.time() - seen >= settings.SESSION_REFRESH_SECONDS:
                mark_seen(session)  # modified: saved with a fresh expiry when the response goes out
        return self.get_response(request)


def on_login(sender, request, user, **kwargs):
    """A new session starts as seen (connected in WebConfig.ready), so its first page writes nothing."""
    if request is not None and hasattr(request, "session"):
        mark_seen(request.session)
