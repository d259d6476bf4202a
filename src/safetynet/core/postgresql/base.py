"""Django's PostgreSQL backend with prepared statements.

A page sends the same few statements on every request. With server-side binding (the values
travel apart from the SQL, as `$1`, `$2`…) psycopg can prepare a statement once a connection has
run it `prepare_threshold` times; PostgreSQL then parses and plans it once per connection instead
of every time (docs/scale.md, "Even shares, no collector pauses, prepared statements").

The protocol carries at most 65,535 values a statement, and Django does not split a statement for
that; a statement with more (a long `__in` list, a large bulk insert) has its values written into
the SQL by psycopg's client-side binding instead, as every statement was before. So are the named
cursors of `QuerySet.iterator()`, which are not prepared anyway.

A prepared statement that has run five times may be given PostgreSQL's generic plan, made without
its values. That suits a page's fixed statements, not one whose best plan depends on them: a search
for `LIKE 'wjl%'` (a hundred people) and for `LIKE 'w%'` (a tenth of the province) want different
joins, and the generic plan took a county's search by three initials from 30 ms to 700 ms.
Statements run inside `unprepared()` are never prepared, so PostgreSQL plans them for their values
every time (`registry.selectors.search_households`).
"""

from __future__ import annotations

import psycopg
from django.db.backends.postgresql import base

from safetynet.core.postgresql import preparing

# The extended protocol's Bind message counts its parameters in 16 bits.
MAX_BOUND_PARAMETERS = 65_535


class Cursor(base.ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        if not preparing():
            prepare = False
        if params is not None and len(params) > MAX_BOUND_PARAMETERS:
            query = psycopg.ClientCursor(self.connection).mogrify(query, params)
            params, prepare = None, False
        return super().execute(query, params, prepare=prepare, binary=binary)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        params["cursor_factory"] = Cursor
        return params

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.server_cursor_factory = base.ServerSideCursor
        return connection
