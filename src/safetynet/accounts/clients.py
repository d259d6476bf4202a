"""The caller's address, as the audit trail and the login throttle see it.

`REMOTE_ADDR`, unless that is one of `TRUSTED_PROXIES` (the TLS reverse proxy in front of the
server): then the nearest address in `X-Forwarded-For` that is not itself a trusted proxy. A header
from anyone else is ignored, since a client can write whatever it likes there.
"""

from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR") or ""
    trusted = set(getattr(settings, "TRUSTED_PROXIES", ()))
    if remote in trusted:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for hop in reversed([h for h in hops if h]):
            if hop not in trusted:
                return hop[:64]
    return remote[:64]
