"""Signing in (web session and API token), with throttling of failed attempts and audit."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from safetynet.accounts.models import ApiToken, LoginFailure, User
from safetynet.audit.services import Actor, record_audit
from safetynet.core.errors import AuthenticationFailed, Throttled


def _throttled(username: str, client: str) -> str:
    """Which limit a sign-in from `client` as `username` has reached ("" for none).

    Failures count per account *and* address, so that nobody can lock a named account out from
    elsewhere; a separate, higher limit per address stops one machine trying many accounts."""
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    from_here = LoginFailure.objects.filter(at__gte=since, client=client)
    if from_here.filter(username=username).count() >= settings.LOGIN_FAILURE_LIMIT:
        return "account_address"
    if from_here.count() >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        return "address"
    return ""


def sign_in(*, username: str, password: str, client: str = "", channel: str = "web") -> User:
    """Check a password; refuse while too many recent failures; audit success and failure."""
    username = (username or "").strip()
    limit = _throttled(username, client)
    if limit:
        with transaction.atomic():
            record_audit(
                actor=Actor(None, username or "?", client=client),
                action="login.throttled",
                changes={"channel": channel, "limit": limit},
            )
        minutes = settings.LOGIN_FAILURE_WINDOW_SECONDS // 60
        raise Throttled(
            f"登录失败次数过多，请{minutes}分钟后再试。", code="login_throttled", field="password"
        )
    user = authenticate(username=username, password=password or "")
    if user is None:
        # Raised after the block: raising inside it would roll back the failure record and its audit.
        with transaction.atomic():
            LoginFailure.objects.create(username=username, client=client)
            record_audit(
                actor=Actor(None, username or "?", client=client),
                action="login.failed",
                changes={"channel": channel},
            )
        raise AuthenticationFailed("用户名或密码错误。", code="invalid_credentials", field="password")
    with transaction.atomic():
        # Only this address's failures: a success elsewhere must not reset an attacker's count.
        LoginFailure.objects.filter(username=username, client=client).delete()
        record_audit(
            actor=Actor.of(user, client),
            action="login",
            object_type="user",
            object_id=user.pk,
            changes={"channel": channel},
        )
    return user


def issue_token(*, user: User) -> str:
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        digest=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=timezone.now() + dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    return token


def user_for_token(token: str) -> User | None:
    digest = hashlib.sha256((token or "").encode()).hexdigest()
    row = (
        ApiToken.objects.select_related("user__area")
        .filter(digest=digest, expires_at__gt=timezone.now())
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    return row.user
