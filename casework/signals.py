"""Calendar entries recompute provisional deadlines (暂定期限随节假日安排发布自动重算); a changed programme row
rebuilds its workflows.

The recompute runs after the commit, so it sees every row of the notice the administrator entered, and it is
scheduled once per transaction however many CalendarDay rows that transaction saves.
"""

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save


def _run() -> None:
    from casework.deadlines import case_deadlines_recompute

    case_deadlines_recompute()


def _already_scheduled() -> bool:
    # Each entry of run_on_commit is (savepoint ids, callable, robust); a rolled-back transaction drops its
    # entries, so this never leaves a recompute "scheduled" that will not run.
    return any(entry[1] is _run for entry in getattr(connection, "run_on_commit", []))


def calendar_changed(sender, **kwargs) -> None:
    if connection.in_atomic_block and _already_scheduled():
        return
    transaction.on_commit(_run)


def program_changed(sender, instance, **kwargs) -> None:
    """A programme row edited in the admin (name, workflow family, inputs …): its workflows are rebuilt on next use."""
    from casework.workflows import workflows_forget

    workflows_forget(instance.pk)


def connect() -> None:
    from programs.models import Program
    from workcalendar.models import CalendarDay, CalendarYear

    post_save.connect(program_changed, sender=Program, dispatch_uid="casework_program_saved")
    post_delete.connect(program_changed, sender=Program, dispatch_uid="casework_program_deleted")

    for model in (CalendarDay, CalendarYear):
        post_save.connect(calendar_changed, sender=model, dispatch_uid=f"casework_recompute_{model.__name__}_save")
        post_delete.connect(calendar_changed, sender=model,
                            dispatch_uid=f"casework_recompute_{model.__name__}_delete")
