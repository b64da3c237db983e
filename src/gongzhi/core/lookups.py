"""Lookups that shape the SQL for the planner."""

import re
from typing import Any

from django.db.models.lookups import In

_WORD = re.compile(r"^[a-z][a-z0-9_]*$")


class ChoicesIn(In):
    """``field IN ('a', 'b')`` with the values written into the SQL on SQLite, when every value is one of the
    field's choices (never input: anything else is bound as usual).

    SQLite decides whether a partial index (``WHERE status IN (…)``) may serve a query when it prepares the
    statement, before any parameter is bound, so a bound ``status IN (?, ?)`` never matches the index's
    condition and the query walks a larger index instead (the neighbours' list: 200 ms against 0.3 ms at
    100,000 appeals). PostgreSQL gets the values inlined by its driver already. Register it on a choice
    field whose values partial indexes name: ``Model._meta.get_field("status").register_lookup(ChoicesIn)``.
    """

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if connection.vendor == "sqlite" and self.rhs_is_direct_value():
            allowed = {str(value) for value, _label in (self.lhs.output_field.choices or ())}
            values = list(dict.fromkeys(str(v) for v in self.rhs if v is not None))
            if values and all(v in allowed and _WORD.match(v) for v in values):
                return "(" + ", ".join(f"'{v}'" for v in values) + ")", ()
        return super().process_rhs(compiler, connection)
