"""Task signals: the owner of a task's source (a warning …) reacts to its closing without tasks knowing it."""

from django.dispatch import Signal

# Sent inside task_close's transaction with `task` and `acting_user`; a receiver that fails rolls the close back.
task_closed = Signal()
