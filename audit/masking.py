"""Masking personal numbers inside logged JSON (before/after of the change log, details) for the admin's views.

The admin is for support staff, who read what changed but not whose numbers: an ID, certificate, account or phone
number is shown as in the pages' lists, whatever key holds it. Full numbers stay in the database, for the logged
reveal services only."""

import re

# 15–19 characters of digits, the last maybe X (an ID number, a certificate number, a bank account); an 11-digit
# mobile number.
LONG_NUMBER = re.compile(r"\d{14,18}[\dXx]")
MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


def _mask_digits(match: re.Match) -> str:
    value = match.group(0)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_text(text: str) -> str:
    text = LONG_NUMBER.sub(_mask_digits, text)
    return MOBILE.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-4:], text)


def masked(value):
    """The same JSON value with every number that identifies a person masked."""
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value
