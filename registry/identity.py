"""Resident ID numbers (居民身份证号码, GB 11643): validation with python-stdnum, masking, derived facts."""

import re
import unicodedata
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
    # Full-width digits (１２３) are the same number typed on a Chinese keyboard: normalised, never stored as typed.
    number = ric.compact(unicodedata.normalize("NFKC", value or ""))
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


# 手机 1[3-9]xxxxxxxxx; 固话 with its 区号 (023-6xxxxxxx), or a local 7–8 digit number; an extension may follow.
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$")


def normalise_phone(value: str | None) -> str:
    """The phone number as stored: full-width digits and separators normalised, spaces dropped; "" stays "".
    Raises InvalidPhone (a Chinese message) for anything that is not a mobile or fixed-line number."""
    phone = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).replace("—", "-").replace("－", "-")
    if phone.startswith("+86"):
        phone = phone[3:]
    if phone and not PHONE.match(phone):
        raise InvalidPhone("联系电话格式不正确：应为11位手机号，或区号-电话号码（如 023-65000000）")
    return phone


class InvalidPhone(ValueError):
    """The message is Chinese and says what a phone number should look like."""


def mask_phone(value: str | None) -> str:
    """`138****5678`: enough to tell numbers apart, not enough to call."""
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) >= 8 else "*" * len(value)


def mask_certificate_number(value: str | None) -> str:
    """A 残疾人证号 is the holder's ID number plus category and grade digits: masked like the ID number."""
    return mask_id_number(value)


def mask_id_number(value: str | None) -> str:
    """`500106********1234`: the address code and the last four stay visible."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]
