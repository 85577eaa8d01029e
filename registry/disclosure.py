"""Revealing personal numbers in full (查看完整身份证号、联系电话、残疾人证号): allowed to roles that need them
(the `id_number/reveal` grant: a 残疾人证号 embeds the ID number), always logged — and a refused attempt is logged
too, so probing shows in the access log."""

from django.core.exceptions import PermissionDenied

from accounts.policy import allowed, area_in_scope
from audit.models import AccessLog
from audit.services import access_log_write
from registry.models import Disability, Person


def _reveal(*, user, person: Person, kind: str, what: str, detail: dict | None = None) -> None:
    if not allowed(user, "id_number", "reveal") or not area_in_scope(user, person.area_id):
        if getattr(user, "is_authenticated", False):
            access_log_write(user=user, kind=AccessLog.Kind.DENIED, person=person, detail={"what": what})
        raise PermissionDenied(f"无权查看完整{what}")
    access_log_write(user=user, kind=kind, person=person, detail=detail)


def id_number_reveal(*, user, person: Person) -> str:
    """Return the full number and log who saw whose, when."""
    _reveal(user=user, person=person, kind=AccessLog.Kind.REVEAL_ID, what="身份证号")
    return person.id_number or ""


def phone_reveal(*, user, person: Person) -> str:
    _reveal(user=user, person=person, kind=AccessLog.Kind.REVEAL_PHONE, what="联系电话")
    return person.phone or ""


def certificate_number_reveal(*, user, disability: Disability) -> str:
    _reveal(user=user, person=disability.person, kind=AccessLog.Kind.REVEAL_CERT, what="残疾人证号",
            detail={"disability": disability.pk})
    return disability.certificate_number or ""


def personal_export_log(*, user, what: str, count: int, filters: dict | None = None) -> None:
    """Log an export of personal data (导出个人信息): who, what, how many rows, with which filters."""
    if not allowed(user, "export", "run"):
        raise PermissionDenied("无导出权限")
    access_log_write(user=user, kind=AccessLog.Kind.EXPORT, detail={"what": what, "rows": count,
                                                                     "filters": filters or {}})
