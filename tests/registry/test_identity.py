"""ID numbers (身份证号): real check-digit cases, masking, derived sex and birth date."""

from datetime import date

import pytest

from registry.identity import InvalidIdNumber, mask_id_number, parse_id_number

# Check digits worked by hand with GB 11643 weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
# 11010519491231002 → Σ = 167, 167 mod 11 = 2 → 'X' (the standard's own example).
STANDARD_EXAMPLE = "11010519491231002X"


def test_standard_example_is_valid_and_female():
    facts = parse_id_number(STANDARD_EXAMPLE)
    assert facts.birth_date == date(1949, 12, 31)
    assert facts.sex == "F"  # 17th digit 2 is even


def test_lower_case_x_is_accepted_and_normalised():
    assert parse_id_number(STANDARD_EXAMPLE.lower()).number == STANDARD_EXAMPLE


@pytest.mark.parametrize("wrong_check", ["110105194912310021", "1101051949123100209"[:18]])
def test_wrong_check_digit_is_refused_in_chinese(wrong_check):
    with pytest.raises(InvalidIdNumber, match="校验码"):
        parse_id_number(wrong_check)


def test_impossible_birth_date_is_refused():
    # 1949-02-30 does not exist; the check digit is made right so only the date is wrong.
    body = "11010519490230002"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    number = body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    with pytest.raises(InvalidIdNumber, match="出生日期"):
        parse_id_number(number)


@pytest.mark.parametrize("value", ["", "12345", "11010519491231002X1"])
def test_wrong_length_is_refused(value):
    with pytest.raises(InvalidIdNumber, match="18位"):
        parse_id_number(value)


def test_mask_keeps_address_code_and_last_four():
    assert mask_id_number("500106198001010011") == "500106********0011"
    assert mask_id_number(None) == ""


def test_chongqing_number_issued_after_birth_is_accepted():
    # 500106 (沙坪坝区) exists only since 1997, yet residents born earlier hold 500106… numbers.
    from tests.conftest import make_id

    facts = parse_id_number(make_id("500106", "19800101", 1))
    assert facts.birth_date == date(1980, 1, 1) and facts.sex == "M"
