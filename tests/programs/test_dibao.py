"""低保 quotes: amounts for 1–6 people, the edges at the standard, income kinds, deaths, urban/rural, months."""

from datetime import date
from decimal import Decimal

import pytest

from programs.calculations import quote
from programs.selectors import ParameterNotFound
from registry.services import asset_add, person_record_death
from tests.programs.conftest import FEB_2026

pytestmark = pytest.mark.django_db
D = Decimal

# Worked by hand with the 2026 urban standard 770.00 (渝民规〔2025〕6号):
# size, counted income, per-capita (to the fen, half up), 770 − per-capita, × size
HAND_WORKED = [
    (1, "600", "600.00", "170.00", "170.00"),
    (2, "1000", "500.00", "270.00", "540.00"),
    (3, "1000", "333.33", "436.67", "1310.01"),   # the rounding case: 1000 ÷ 3 = 333.333…
    (4, "1800", "450.00", "320.00", "1280.00"),
    (5, "2000", "400.00", "370.00", "1850.00"),
    (6, "1000", "166.67", "603.33", "3619.98"),   # 166.666… rounds up; 603.33 × 6
]


@pytest.mark.parametrize(("size", "income", "pc", "gap", "amount"), HAND_WORKED)
def test_dibao_amount_for_households_of_one_to_six(make, size, income, pc, gap, amount):
    household, people = make.household(size)
    make.income(household, people[0], "wage", income)
    result = quote(program="dibao", household=household, month=FEB_2026)
    assert result.eligible and result.reasons == []
    assert (result.standard, result.household_size) == (D("770.00"), size)
    assert (result.total_income, result.per_capita_income, result.monthly_amount) == (D(income), D(pc), D(amount))
    lines = dict(result.lines)
    assert lines[f"月人均收入 = {D(income):.2f} ÷ {size}"] == pc
    assert lines[f"差额 = 770.00 − {pc}"] == gap
    assert lines[f"低保金 = {gap} × {size}"] == amount


def test_lines_read_like_a_hand_check_and_cite_the_source(make):
    household, people = make.household(2)
    make.income(household, people[0], "wage", "1000")
    labels = [label for label, _ in quote(program="dibao", household=household, month=FEB_2026).lines]
    assert labels[0] == "测算月份"
    assert "低保标准（城市，渝民规〔2025〕6号）" in labels
    assert any(label.startswith("计入：") and "工资性收入" in label for label in labels)
    assert "家庭月总收入（计入部分）" in labels
    assert "取整规则" in labels
    assert labels[-1] == "低保金 = 270.00 × 2"


def test_income_exactly_at_the_standard_is_not_eligible(make):
    household, people = make.household(2)
    make.income(household, people[0], "wage", "1540")  # 1540 ÷ 2 = 770.00 = the standard
    result = quote(program="dibao", household=household, month=FEB_2026)
    assert not result.eligible
    assert result.reasons == ["家庭月人均收入不低于低保标准"]
    assert result.monthly_amount == D("0.00")


def test_per_capita_that_rounds_up_to_the_standard_is_not_eligible(make):
    household, people = make.household(3)
    make.income(household, people[0], "wage", "2309.99")  # 769.996… → 770.00 under the stated rule
    result = quote(program="dibao", household=household, month=FEB_2026)
    assert result.per_capita_income == D("770.00") and not result.eligible


def test_income_above_the_standard_is_not_eligible(make):
    household, people = make.household(2)
    make.income(household, people[0], "wage", "1600")
    result = quote(program="dibao", household=household, month=FEB_2026)
    assert not result.eligible and result.monthly_amount == D("0.00")
    assert result.per_capita_income == D("800.00")


def test_zero_income_gets_the_standard_times_size(make):
    household, _ = make.household(3)
    result = quote(program="dibao", household=household, month=FEB_2026)
    assert result.total_income == D("0") and result.monthly_amount == D("770.00") * 3


def test_excluded_income_is_listed_but_not_counted(make):
    household, people = make.household(2)
    make.income(household, people[0], "wage", "1000")
    make.income(household, people[1], "youfu", "500")
    result = quote(program="dibao", household=household, month=FEB_2026)
    assert result.total_income == D("1000.00") and result.monthly_amount == D("540.00")
    assert any(label.startswith("不计入：") and "优待抚恤金" in label and value == "500.00"
               for label, value in result.lines)


def test_deductible_expenditure_reduces_income(make):
    household, people = make.household(2)
    make.income(household, people[0], "wage", "1000")
    make.income(household, people[1], "illness_expense", "200")
    result = quote(program="dibao", household=household, month=FEB_2026)
    # (1000 − 200) ÷ 2 = 400.00; (770 − 400) × 2 = 740.00
    assert (result.total_income, result.monthly_amount) == (D("800.00"), D("740.00"))


def test_income_outside_its_months_is_not_counted(make):
    household, people = make.household(2)
    make.income(household, people[0], "wage", "1000", start=date(2026, 3, 1))
    make.income(household, people[1], "wage", "400", start=date(2025, 1, 1), end=date(2026, 1, 1))
    assert quote(program="dibao", household=household, month=FEB_2026).total_income == D("0")


def test_a_deceased_member_and_their_income_are_not_counted(make):
    household, people = make.household(3)
    make.income(household, people[0], "wage", "600")
    make.income(household, people[2], "wage", "900")
    person_record_death(acting_user=make.officer, person=people[2], death_date=date(2025, 12, 15))
    after = quote(program="dibao", household=household, month=FEB_2026)
    assert (after.household_size, after.total_income) == (2, D("600.00"))
    assert after.monthly_amount == (D("770.00") - D("300.00")) * 2
    # the month before the death still counts three people (and 2025's standard, 750)
    before = quote(program="dibao", household=household, month=date(2025, 11, 1))
    assert (before.household_size, before.total_income, before.standard) == (3, D("1500.00"), D("750.00"))


def test_urban_and_rural_standards(make):
    urban, _ = make.household(1, hukou="urban")
    rural, _ = make.household(1, hukou="rural")
    assert quote(program="dibao", household=urban, month=FEB_2026).monthly_amount == D("770.00")
    result = quote(program="dibao", household=rural, month=FEB_2026)
    assert result.monthly_amount == D("630.00")
    assert "低保标准（农村，渝民规〔2025〕6号）" in dict(result.lines)


@pytest.mark.parametrize(("month", "standard"), [
    (date(2024, 8, 1), "735.00"), (date(2024, 10, 1), "750.00"), (date(2025, 12, 1), "750.00"),
    (date(2026, 2, 1), "770.00"),
])
def test_the_standard_in_force_in_the_month(make, month, standard):
    household, _ = make.household(1)
    assert quote(program="dibao", household=household, month=month).standard == D(standard)


def test_a_month_before_any_standard_names_the_missing_parameter(make):
    household, _ = make.household(1)
    with pytest.raises(ParameterNotFound, match="standard_urban") as exc:
        quote(program="dibao", household=household, month=date(2020, 1, 1))
    assert "2020年01月" in exc.value.messages[0]


def test_a_non_exempt_vehicle_disqualifies_and_is_named(make):
    household, _ = make.household(2)
    asset_add(acting_user=make.officer, household=household, kind="vehicle", value=D("80000"),
              description="小型轿车 渝A12345")
    asset_add(acting_user=make.officer, household=household, kind="vehicle", value=D("3000"),
              description="残疾人代步车", exempt=True)
    result = quote(program="dibao", household=household, month=FEB_2026)
    assert not result.eligible
    assert result.reasons == ["家庭有非生产生活必需的机动车辆（小型轿车 渝A12345）"]


def test_a_household_with_nobody_left_is_not_eligible(make):
    household, people = make.household(1)
    person_record_death(acting_user=make.officer, person=people[0], death_date=date(2026, 1, 5))
    result = quote(program="dibao", household=household, month=FEB_2026)
    assert not result.eligible and "家庭当月无在户成员" in result.reasons
    assert result.household_size == 0 and result.per_capita_income is None


def test_verified_standards_are_not_flagged(make):
    household, _ = make.household(1)
    result = quote(program="dibao", household=household, month=FEB_2026)
    assert not result.unverified
    assert all("未核实" not in label for label, _ in result.lines)
    assert [p.key for p in result.parameters] == ["standard_urban"]
