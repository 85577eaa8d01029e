"""Read replica routing (只读副本): reports, exports and the cockpit read from a streaming replica; everything else,
every write and every read after a write go to the primary.

Reading from the replica is opt-in and explicit: a view or selector that only reads marks its work with
`reading_from_replica()` (or the `replica_reads` view decorator). Outside such a block the router sends every
query to "default"; with no `DATABASE_REPLICA_URL` configured the block changes nothing.

Inside a block the primary still answers:
- every write (`db_for_write` is always "default");
- every read once the block has written anything on the primary (an ORM save, or raw SQL such as the cockpit's
  snapshot upsert), so a page never misses what it just wrote because the replica has not replayed it yet;
- every read while the primary is inside a transaction (a service's `transaction.atomic` reads what it writes);
- the sign-in state (sessions, users, grants, lockouts): a login or a password change must be seen at once.

Raw SQL through `django.db.connection` always runs on the primary; a report that wants the replica takes its
cursor from `connections[read_alias()]`.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.db import connections

REPLICA = "replica"
PRIMARY = "default"
# Read from the primary even inside a replica block: the sign-in state changes at a login and must be seen at once.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "accounts", "axes", "authtoken", "contenttypes"})
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "CREATE", "DROP", "ALTER", "TRUNCATE")


@dataclass
class _Block:
    wrote: bool = False


_block: ContextVar[_Block | None] = ContextVar("replica_block", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def _is_write(sql: str) -> bool:
    head = sql.lstrip().upper()
    if head.startswith("WITH"):
        return any(f" {verb} " in f" {head} " for verb in _WRITE_VERBS[:4])
    return head.startswith(_WRITE_VERBS)


def _replica_usable() -> bool:
    block = _block.get()
    return (block is not None and not block.wrote and replica_configured()
            and not connections[PRIMARY].in_atomic_block)


def read_alias() -> str:
    """The database alias a read in the current context goes to: "replica" inside a clean replica block."""
    return REPLICA if _replica_usable() else PRIMARY


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Send the reads of this block to the replica (when one is configured) until the block writes."""
    if _block.get() is not None:  # nested: the outer block decides
        yield
        return
    block = _Block()

    def note_writes(execute, sql, params, many, context):
        if not block.wrote and _is_write(sql):
            block.wrote = True
        return execute(sql, params, many, context)

    token = _block.set(block)
    try:
        with connections[PRIMARY].execute_wrapper(note_writes):
            yield
    finally:
        _block.reset(token)


def replica_reads(view: Callable) -> Callable:
    """View decorator: the view's reads go to the replica (`reading_from_replica`)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        with reading_from_replica():
            return view(*args, **kwargs)

    return wrapped


class PrimaryReplicaRouter:
    """DATABASE_ROUTERS entry: replica reads only inside `reading_from_replica()`, all else on the primary."""

    def db_for_read(self, model, **hints) -> str:
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        block = _block.get()
        if block is not None:
            block.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # One database seen twice: objects read from the replica may be related to objects on the primary.
        aliases = {PRIMARY, REPLICA}
        return True if obj1._state.db in aliases and obj2._state.db in aliases else None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == PRIMARY
