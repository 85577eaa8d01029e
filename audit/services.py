"""Audit writes (审计记录) — the same functions from pages, API, import, jobs and commands."""

import datetime
import decimal
from collections.abc import Iterable

from django.db import models

from audit.context import current
from audit.models import AccessLog, ChangeLog, DomainEvent, EventType


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict:
    """A JSON-safe dict of a record's concrete fields, for before/after."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: _json_value(getattr(instance, name)) for name in names}


def _json_value(value):
    if isinstance(value, decimal.Decimal):
        return f"{value:.2f}"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _acting_user_id(acting_user) -> int | None:
    return getattr(acting_user, "pk", None) if acting_user is not None else current().user_id


def change_log_write(*, instance: models.Model, action: str, before: dict | None, after: dict | None,
                     acting_user=None, reason: str = "") -> ChangeLog | None:
    """Record one change. An update that changed nothing writes nothing."""
    if action == ChangeLog.Action.UPDATE and before == after:
        return None
    ctx = current()
    return ChangeLog.objects.create(
        user_id=_acting_user_id(acting_user), request_id=ctx.request_id, source=ctx.source,
        model=instance._meta.label_lower, object_id=str(instance.pk), object_repr=str(instance)[:200],
        action=action, before=before, after=after, reason=reason,
    )


def change_log_bulk_update(*, model: type[models.Model], rows: list[tuple[str, str, dict, dict]], acting_user=None,
                           reason: str = "") -> None:
    """Record many updates at once (a bulk action): rows of (object_id, repr, before, after)."""
    ctx = current()
    ChangeLog.objects.bulk_create(
        [ChangeLog(user_id=_acting_user_id(acting_user), request_id=ctx.request_id, source=ctx.source,
                   model=model._meta.label_lower, object_id=oid, object_repr=rep[:200],
                   action=ChangeLog.Action.UPDATE, before=before, after=after, reason=reason)
         for oid, rep, before, after in rows if before != after],
        batch_size=2000,
    )


def change_log_bulk_create(*, model: type[models.Model], rows: list[tuple[str, str, dict]], acting_user=None,
                           reason: str = "") -> None:
    """Record many creations at once (import, jobs): rows of (object_id, repr, after)."""
    ctx = current()
    ChangeLog.objects.bulk_create(
        [ChangeLog(user_id=_acting_user_id(acting_user), request_id=ctx.request_id, source=ctx.source,
                   model=model._meta.label_lower, object_id=oid, object_repr=rep[:200],
                   action=ChangeLog.Action.CREATE, before=None, after=after, reason=reason)
         for oid, rep, after in rows],
        batch_size=2000,
    )


def change_log_bulk_area_move(*, model: type[models.Model], ids: list, old_code: str, new_code: str) -> None:
    """Record an area merge moving many records (区划调整)."""
    ctx = current()
    ChangeLog.objects.bulk_create(
        [ChangeLog(user_id=ctx.user_id, request_id=ctx.request_id, source=ctx.source,
                   model=model._meta.label_lower, object_id=str(pk), action=ChangeLog.Action.UPDATE,
                   before={"area_id": old_code}, after={"area_id": new_code}, reason="区划调整")
         for pk in ids],
        batch_size=2000,
    )


def _subject(subject, household, person) -> tuple[str, str]:
    """(model label, id) of what the event is about: the record given, else the household, else the person."""
    subject = subject if subject is not None else household if household is not None else person
    if subject is None:
        return "", ""
    return subject._meta.label_lower, str(subject.pk)


def domain_event_write(*, type: EventType, message: str, person=None, household=None, subject=None,
                       acting_user=None, params: dict | None = None) -> DomainEvent:
    """One timeline event of a known type (`EventType`; an unknown one is a programming error: ValueError),
    linked to its subject (a saved record; default the household, else the person)."""
    subject_type, subject_id = _subject(subject, household, person)
    return DomainEvent.objects.create(
        type=EventType(type), message=message, person=person, household=household, subject_type=subject_type,
        subject_id=subject_id, user_id=_acting_user_id(acting_user), params=params or {},
    )


def domain_events_bulk_write(*, events: list[DomainEvent], subjects: list | None = None,
                             acting_user=None) -> list[DomainEvent]:
    """Many timeline events at once (bulk enrolment): unsaved `DomainEvent`s of known types, each linked to the
    record at the same place in `subjects` (default its household, else its person); the acting user set here."""
    user_id = _acting_user_id(acting_user)
    for index, event in enumerate(events):
        event.type, event.user_id = EventType(event.type), user_id
        if subjects is not None:
            event.subject_type, event.subject_id = _subject(subjects[index], None, None)
        elif not event.subject_id:
            event.subject_type, event.subject_id = (
                ("registry.household", str(event.household_id)) if event.household_id
                else ("registry.person", str(event.person_id)) if event.person_id else ("", ""))
    return DomainEvent.objects.bulk_create(events, batch_size=1000)


def access_log_write(*, user, kind: str, person=None, detail: dict | None = None) -> AccessLog:
    return AccessLog.objects.create(user=user, kind=kind, person=person, detail=detail or {},
                                    request_id=current().request_id)


def history_of(instance: models.Model):
    """The change log of one record, newest first."""
    return ChangeLog.objects.filter(model=instance._meta.label_lower, object_id=str(instance.pk)).order_by(
        "-time", "-id").select_related("user")
