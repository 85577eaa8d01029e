"""Revealing a full ID number (查看完整身份证号): allowed to roles that need it, and always logged."""

from django.core.exceptions import PermissionDenied

from accounts.policy import allowed, area_in_scope
from audit.models import AccessLog
from audit.services import access_log_write
from registry.models import Person


def id_number_reveal(*, user, person: Person) -> str:
    """Return the full number and log who saw whose, when."""
    if not allowed(user, "id_number", "reveal") or not area_in_scope(user, person.area_id):
        raise PermissionDenied("无权查看完整身份证号")
    access_log_write(user=user, kind=AccessLog.Kind.REVEAL_ID, person=person)
    return person.id_number or ""


def personal_export_log(*, user, what: str, count: int, filters: dict | None = None) -> None:
    """Log an export of personal data (导出个人信息): who, what, how many rows, with which filters."""
    if not allowed(user, "export", "run"):
        raise PermissionDenied("无导出权限")
    access_log_write(user=user, kind=AccessLog.Kind.EXPORT, detail={"what": what, "rows": count,
                                                                     "filters": filters or {}})
