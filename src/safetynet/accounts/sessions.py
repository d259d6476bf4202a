"""Django's database sessions, read with one SQL statement instead of a queryset.

Every page reads its session first. `db.SessionStore.load` builds a queryset for it, which costs
about four times the statement itself; this store sends the same SELECT (the row of that key,
unexpired) with the expiry compared as the ORM would write it, and decodes the data the same way.
Saving, deleting, rotating keys and clearing expired rows are Django's own.
"""

from __future__ import annotations

from functools import cache

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


@cache
def _select(model, alias: str) -> str:
    """The statement, written once a process for the session model and database."""
    quote = connections[alias].ops.quote_name
    meta = model._meta
    return "SELECT {} FROM {} WHERE {} = %s AND {} > %s".format(
        quote(meta.get_field("session_data").column),
        quote(meta.db_table),
        quote(meta.get_field("session_key").column),
        quote(meta.get_field("expire_date").column),
    )


class SessionStore(db.SessionStore):
    def load(self):
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        now = model._meta.get_field("expire_date").get_db_prep_value(timezone.now(), connection)
        with connection.cursor() as cursor:
            cursor.execute(_select(model, alias), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's store: an unknown or expired key is dropped
            return {}
        return self.decode(row[0])
