"""Django's sign-in backend, with the user's area read in the same query as the user: every page
scopes its reads by that area, so each request would otherwise read it on its own."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from safetynet.accounts.models import User


class AreaBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("area").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
