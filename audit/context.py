"""Who is acting and through what — set once per request, job or import, read by every audit write."""

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class ActingContext:
    user_id: int | None = None
    source: str = "command"
    request_id: str = ""


_current: contextvars.ContextVar[ActingContext] = contextvars.ContextVar("acting", default=ActingContext())  # noqa: B039 (frozen)


def current() -> ActingContext:
    return _current.get()


@contextmanager
def acting(*, user=None, source: str, request_id: str = ""):
    """Run a block as `user` through `source` (page/api/import/job/command)."""
    user_id = getattr(user, "pk", None) if user is not None else None
    token = _current.set(ActingContext(user_id=user_id, source=source, request_id=request_id or uuid.uuid4().hex))
    try:
        yield
    finally:
        _current.reset(token)
