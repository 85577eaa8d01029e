"""The pure parts: the rounding rule, month arithmetic, area prefixes, who counts and what income counts."""

from datetime import date
from decimal import Decimal

import pytest

from programs.calculations.facts import IncomeFact, MemberFact, income_in
from programs.calculations.money import (
    add_months,
    age_on,
    gap_amount,
    money,
    month_end,
    per_capita,
    plain,
    same_day_months_later,
)
from programs.models import area_ancestor_codes, area_code_prefix

D = Decimal


@pytest.mark.parametrize(("total", "size", "expected"), [
    ("1000", 3, "333.33"),    # 333.333… rounds down
    ("2000", 3, "666.67"),    # 666.666… rounds up
    ("0.01", 2, "0.01"),      # 0.005 rounds half UP (banker's rounding would give 0.00)
    ("0.03", 2, "0.02"),      # 0.015 → 0.02 either way; 0.025 below is the telling case
    ("0.05", 2, "0.03"),      # 0.025 → 0.03 half up (half-even would give 0.02)
    ("1540", 2, "770.00"),
])
def test_per_capita_rounds_half_up_to_the_fen(total, size, expected):
    assert per_capita(D(total), size) == D(expected)


def test_per_capita_refuses_an_empty_household():
    with pytest.raises(ValueError):
        per_capita(D("100"), 0)


def test_gap_amount_uses_the_rounded_per_capita():
    # 770 − 333.33 = 436.67; × 3 = 1310.01 (the unrounded 770×3 − 1000 would be 1310.00)
    assert gap_amount(D("770"), D("333.33"), 3) == (D("436.67"), D("1310.01"))
    assert gap_amount(D("770"), D("800.00"), 2) == (D("0.00"), D("0.00"))


def test_money_and_plain_formatting():
    assert money(D("770.0000")) == "770.00"
    assert money(D("0")) == "0.00"
    assert plain(D("1.3000")) == "1.3"
    assert plain(D("1000.0000")) == "1000"


def test_month_arithmetic():
    assert add_months(date(2026, 11, 1), 2) == date(2027, 1, 1)
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert month_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert same_day_months_later(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert same_day_months_later(date(2026, 3, 15), 3) == date(2026, 6, 15)
    assert age_on(date(1966, 2, 2), date(2026, 2, 1)) == 59
    assert age_on(date(1966, 2, 1), date(2026, 2, 1)) == 60


def test_area_prefixes_and_ancestors():
    assert area_code_prefix("500000000000") == "50"
    assert area_code_prefix("500100000000") == "5001"
    assert area_code_prefix("500106000000") == "500106"
    assert area_code_prefix("500106001000") == "500106001"
    assert area_code_prefix("500106001001") == "500106001001"
    assert area_ancestor_codes("500106001001") == [
        "500106001001", "500106001000", "500106000000", "500100000000", "500000000000"]
    assert area_ancestor_codes("500106000000") == ["500106000000", "500100000000", "500000000000"]


def _member(**kw) -> MemberFact:
    base = {"person_id": 1, "name": "甲", "relation": "head", "birth_date": None, "death_date": None,
            "left_on": None, "is_active": True}
    return MemberFact(**{**base, **kw})


def test_who_is_present_in_a_month():
    feb = date(2026, 2, 1)
    assert _member().present_in(feb)
    assert not _member(death_date=date(2026, 2, 10), left_on=date(2026, 2, 10), is_active=False).present_in(feb)
    # before the death the person still counts
    assert _member(death_date=date(2026, 3, 10), left_on=date(2026, 3, 10), is_active=False).present_in(feb)
    assert not _member(left_on=date(2026, 1, 20), is_active=False).present_in(feb)
    assert not _member(is_active=False).present_in(feb)  # inactive with no date: not counted


def _income(person_id: int, kind: str, amount: str, start=date(2025, 1, 1), end=None) -> IncomeFact:
    return IncomeFact(person_id=person_id, person_name=f"人{person_id}", category_name=kind, kind=kind,
                      monthly_amount=D(amount), start_month=start, end_month=end)


def test_income_counts_only_counted_kinds_of_present_people_in_the_month():
    feb = date(2026, 2, 1)
    incomes = (
        _income(1, "counted", "1000"),
        _income(1, "excluded", "300"),
        _income(2, "deductible", "200"),
        _income(3, "counted", "900"),                                    # not a present member
        _income(2, "counted", "400", start=date(2026, 3, 1)),            # starts later
        _income(2, "counted", "250", end=date(2026, 1, 1)),              # ended before
    )
    summary = income_in(incomes, {1, 2}, feb)
    assert (summary.counted, summary.deducted, summary.total) == (D("1000"), D("200"), D("800"))
    assert [kind for kind, _, _ in summary.items] == ["counted", "excluded", "deductible"]


def test_deductions_never_make_income_negative():
    summary = income_in((_income(1, "counted", "100"), _income(1, "deductible", "300")), {1}, date(2026, 2, 1))
    assert summary.total == D("0")
