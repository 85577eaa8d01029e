"""救助证件编号 (低保证 / 特困人员救助供养证): issued at 审核确认 and printed on the decision (审核确认决定书).

Which programmes issue a certificate, and its name, is this domain's knowledge of its own programmes (《最低生活
保障审核确认办法》第二十一条: 确认 → 低保证; 《特困人员认定办法》: 特困人员救助供养证). The number is the district's
6-digit code, the year of confirmation and a 6-digit sequence within them: 500106 2026 000001 → "500106202600001".
"""

from datetime import date

from django.db.models import Max

from areas.codes import DISTRICT_PREFIX_LENGTH

CERTIFICATE_NAMES = {"dibao": "低保证", "tekun": "特困人员救助供养证"}
SEQUENCE_DIGITS = 6


def certificate_name(program_code: str) -> str:
    return CERTIFICATE_NAMES.get(program_code, "")


def certificate_number_issue(*, application, on: date) -> str:
    """The next number of the case's district and year, set on the application (saved by the caller's step).
    A concurrent confirmation that takes the same number fails on the unique constraint and is retried by the
    user; the sequence never reuses a number."""
    case = application.case
    if not certificate_name(case.program_id) or application.certificate_number:
        return application.certificate_number
    from assistance.models import Application

    prefix = f"{case.area_id[:DISTRICT_PREFIX_LENGTH]}{on.year}"
    last = (Application.objects.filter(certificate_number__startswith=prefix)
            .aggregate(last=Max("certificate_number"))["last"])
    sequence = int(last[len(prefix):]) + 1 if last else 1
    application.certificate_number = f"{prefix}{sequence:0{SEQUENCE_DIGITS}d}"
    return application.certificate_number
