"""Resident ID numbers (居民身份证号码, GB 11643): validation with python-stdnum, masking, derived facts."""

from dataclasses import dataclass
from datetime import date

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

ID_MESSAGES = {
    stdnum_errors.InvalidLength: "身份证号应为18位",
    stdnum_errors.InvalidFormat: "身份证号格式不正确",
    stdnum_errors.InvalidChecksum: "身份证号校验码不正确",
    stdnum_errors.InvalidComponent: "身份证号中的出生日期不正确",
}


class InvalidIdNumber(ValueError):
    """The message is Chinese and names what is wrong."""


@dataclass(frozen=True)
class IdFacts:
    number: str
    birth_date: date
    sex: str  # "M" or "F": the 17th digit is odd for men


def parse_id_number(value: str) -> IdFacts:
    """Validate an 18-digit ID number (format, check digit, birth date) and derive birth date and sex.

    stdnum's full `ric.validate` also requires the address code to have existed in the birth year; real
    numbers break that rule (Chongqing residents born before 1997 hold 500xxx numbers issued later), so the
    address code is not checked against the birth year here.
    """
    number = ric.compact(value or "")
    if len(number) != 18:  # 15-digit legacy numbers are not accepted for new records
        raise InvalidIdNumber(ID_MESSAGES[stdnum_errors.InvalidLength])
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(ID_MESSAGES[stdnum_errors.InvalidFormat])
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidIdNumber(ID_MESSAGES[stdnum_errors.InvalidChecksum])
    try:
        birth = ric.get_birth_date(number)
    except stdnum_errors.ValidationError as exc:
        raise InvalidIdNumber(ID_MESSAGES[stdnum_errors.InvalidComponent]) from exc
    if birth > date.today() or birth.year < 1880:
        raise InvalidIdNumber(ID_MESSAGES[stdnum_errors.InvalidComponent])
    return IdFacts(number=number, birth_date=birth, sex="M" if int(number[16]) % 2 else "F")


def mask_id_number(value: str | None) -> str:
    """`500106********1234`: the address code and the last four stay visible."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]
