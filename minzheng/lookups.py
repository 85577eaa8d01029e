"""Index-friendly prefix matching (前缀检索).

`field__startswith` becomes `LIKE 'p%'`, which PostgreSQL can only serve from a btree index under the C collation
(or a *_pattern_ops index) and SQLite only with case-sensitive LIKE. A half-open range `p <= field < p'`
(p' = p with its last character incremented) selects the same rows and uses the ordinary btree index on both.
"""

from django.db.models import Q


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix` (for ASCII/digit keys)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def prefix_q(field: str, prefix: str) -> Q:
    """Rows whose `field` starts with `prefix`, as a range the btree index can serve."""
    if not prefix:
        return Q()
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix_upper_bound(prefix)})
