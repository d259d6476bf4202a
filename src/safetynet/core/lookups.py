"""`AnyOf(F("pk"), ids)`: a column among a list of values taken from an earlier query.

Django's `__in` writes one placeholder per value, so a list of thousands of ids (a search that
matches a whole county's people with one initial) is thousands of parameters to compile, send and
parse, and a different statement for every length, which a prepared-statement cache cannot reuse.
On PostgreSQL this lookup sends the list as one array, `col = ANY(%s::bigint[])`: one statement
text whatever the length. Elsewhere it is `__in`. The same rows either way (tests/core/test_lookups.py).
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [v for v in self.rhs if v is not None]
        if not values:
            raise EmptyResultSet
        db_type = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{db_type}[])", (*lhs_params, values)
