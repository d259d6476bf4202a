"""Users: one role and one area each; API tokens; failed-login records for throttling."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from safetynet.accounts.roles import ROLE_LABELS, Perm, Role, has_perm


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=[(r.value, ROLE_LABELS[r]) for r in Role])
    area = models.ForeignKey("registry.Area", on_delete=models.PROTECT, related_name="users", null=True)
    display_name = models.CharField("姓名", max_length=64, blank=True)

    def can(self, perm: Perm) -> bool:
        return self.is_active and has_perm(self.role, perm)

    @property
    def role_label(self) -> str:
        try:
            return ROLE_LABELS[Role(self.role)]
        except ValueError:
            return self.role


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()


class LoginFailure(models.Model):
    username = models.CharField(max_length=150, db_index=True)
    client = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
