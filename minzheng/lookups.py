"""Index-friendly prefix matching (前缀检索).

`field__startswith` becomes `LIKE 'p%'`, which PostgreSQL can only serve from a btree index under the C collation
(or a *_pattern_ops index) and SQLite only with case-sensitive LIKE. A half-open range `p <= field < p'`
(p' = p with its last character incremented) selects the same rows and uses the ordinary btree index on both.
"""

from django.db.models import CharField, Func, Q


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix` (for ASCII/digit keys)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def prefix_q(field: str, prefix: str) -> Q:
    """Rows whose `field` starts with `prefix`, as a range the btree index can serve."""
    if not prefix:
        return Q()
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix_upper_bound(prefix)})


class Reversed(Func):
    """A text value with its characters in reverse order, so "ends with" becomes "starts with" and a B-tree
    index on the expression serves it (身份证号尾号). PostgreSQL has REVERSE(); SQLite has none built in
    (Django registers one per connection, which an expression index must not depend on), so there it is
    SUBSTR(…, n, 1) || … || SUBSTR(…, 1, 1) over the column's maximum `length`."""

    function = "REVERSE"
    arity = 1

    def __init__(self, expression, *, length: int, **extra):
        self.length = length
        super().__init__(expression, output_field=CharField(max_length=length), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        pieces = " || ".join(f"SUBSTR({sql}, {position}, 1)" for position in range(self.length, 0, -1))
        return f"({pieces})", list(params) * self.length
