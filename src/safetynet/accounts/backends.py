"""Django's sign-in backend, with the user's area read in the same query as the user: every page
scopes its reads by that area, so each request would otherwise read it on its own."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from safetynet.accounts.models import User
from safetynet.core.statements import Statement

# Read on every request: its SQL written once a process (core/statements.py).
_USER_WITH_AREA = Statement(lambda pk: User._default_manager.select_related("area").filter(pk=pk), -1)


class AreaBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            pk = User._meta.pk.to_python(user_id)  # the session holds it as text
        except ValidationError:
            return None
        found = _USER_WITH_AREA(pk)
        if not found:
            return None
        return found[0] if self.user_can_authenticate(found[0]) else None
