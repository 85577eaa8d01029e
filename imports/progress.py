"""Progress from inside the commit transaction (保存进度).

The commit is all-or-nothing, so it runs in one transaction — and a progress write made inside it would be
invisible to the polling page until the very end. On PostgreSQL the progress therefore goes through a second,
autocommit connection. SQLite has a single writer (the open transaction holds the lock), so there the
progress is written once the transaction ends.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from jobs.models import Job
from minzheng import sql as dialect


@contextmanager
def progress_outside_transaction(job: Job | None) -> Iterator[Callable[[int, int], None]]:
    """Yield `report(done, total)`; best effort — a progress write never fails the work it reports on."""
    side = None
    if job is not None and dialect.is_postgres(connections[DEFAULT_DB_ALIAS]):
        side = connections.create_connection(DEFAULT_DB_ALIAS)

    def report(done: int, total: int) -> None:
        if side is None:
            return
        table = side.ops.quote_name(Job._meta.db_table)
        try:
            with side.cursor() as cursor:
                # Never wait on a lock: the job row is not ours to block on while holding the commit open.
                cursor.execute("SET lock_timeout = '1s'")
                cursor.execute(f"UPDATE {table} SET progress_done = %s, progress_total = %s WHERE id = %s",
                               [done, total, job.pk])
        except DatabaseError:
            return

    try:
        yield report
    finally:
        if side is not None:
            side.close()
