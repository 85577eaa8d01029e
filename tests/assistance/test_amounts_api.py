"""The quote (测算) API contract: `POST /api/programs/{code}/quote/` with `{"household": id, "month": "YYYY-MM"}`.

The 低保 amount for households of 1–6 people with zero income, income a fen below, exactly at and above the
standard, worked by hand here in Decimal; money as strings with two decimals; a household outside the user's
area is a 404 and a bad month a 400 naming "month".
"""

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from programs.api import QuoteResponseSerializer
from registry.services import income_add

pytestmark = pytest.mark.django_db

URL = "/api/programs/{}/quote/"
CONTRACT = {"eligible", "reasons", "standard", "household_size", "per_capita_income", "monthly_amount", "lines"}
MONEY = re.compile(r"^[0-9]+\.[0-9]{2}$")
URBAN_2026, URBAN_2025, RURAL_2026 = Decimal("770"), Decimal("750"), Decimal("630")
NAMES = ["一", "二", "三", "四", "五", "六"]


def fen(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def by_hand(standard: Decimal, total: Decimal, size: int) -> tuple[Decimal, Decimal]:
    """(per-capita income to the fen, (standard − per-capita) × size to the fen, or 0 when not below)."""
    per_capita = fen(total / size)
    return per_capita, fen((standard - per_capita) * size) if per_capita < standard else Decimal("0.00")


@pytest.fixture
def household_of(families, staff):
    def build(size: int, total: Decimal, *, hukou: str = "urban", area: str | None = None,
              since: date = date(2026, 1, 1)):
        household, people = families.household([f"测算{n}" for n in NAMES[:size]], hukou=hukou, area=area)
        if total:
            income_add(acting_user=staff["district_officer"], household=household, person=people[0],
                       category="wage", monthly_amount=total, start_month=since)
        return household
    return build


def quote(api, code: str, body: dict, who: str = "town_officer", expect: int = 200) -> dict:
    return api.post(who, URL.format(code), body, expect=expect)


def assert_contract(answer: dict) -> None:
    # the keys are all there; anything more must be a documented field of the response schema
    assert CONTRACT <= set(answer), answer
    assert set(answer) <= set(QuoteResponseSerializer().fields), set(answer) - set(QuoteResponseSerializer().fields)
    assert isinstance(answer["eligible"], bool) and isinstance(answer["household_size"], int)
    assert isinstance(answer["reasons"], list) and all(isinstance(r, str) for r in answer["reasons"])
    for key in ("standard", "per_capita_income", "monthly_amount"):
        assert isinstance(answer[key], str) and MONEY.match(answer[key]), (key, answer[key])
    assert answer["lines"] and all(set(line) == {"label", "value"} for line in answer["lines"])


SIZES = [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("size", SIZES)
def test_zero_income_gets_the_standard_times_the_size(api, household_of, size):
    household = household_of(size, Decimal(0))
    answer = quote(api, "dibao", {"household": household.pk, "month": "2026-03"})
    assert_contract(answer)
    expected = fen(URBAN_2026 * size)
    assert (answer["eligible"], answer["reasons"], answer["household_size"]) == (True, [], size)
    assert (answer["standard"], answer["per_capita_income"], answer["monthly_amount"]) == (
        "770.00", "0.00", str(expected))
    assert answer["lines"][-1] == {"label": f"低保金 = 770.00 × {size}", "value": str(expected)}


@pytest.mark.parametrize("size", SIZES)
def test_income_exactly_at_the_standard_is_not_eligible(api, household_of, size):
    household = household_of(size, URBAN_2026 * size)
    answer = quote(api, "dibao", {"household": household.pk, "month": "2026-03"})
    assert_contract(answer)
    assert (answer["eligible"], answer["monthly_amount"], answer["per_capita_income"]) == (False, "0.00", "770.00")
    assert answer["reasons"] == ["家庭月人均收入不低于低保标准"]


@pytest.mark.parametrize("size", SIZES)
def test_income_above_the_standard_is_not_eligible(api, household_of, size):
    total = URBAN_2026 * size + Decimal("100.00")
    household = household_of(size, total)
    answer = quote(api, "dibao", {"household": household.pk, "month": "2026-03"})
    assert_contract(answer)
    per_capita, amount = by_hand(URBAN_2026, total, size)
    assert amount == Decimal("0.00") and per_capita > URBAN_2026
    assert (answer["eligible"], answer["monthly_amount"], answer["per_capita_income"]) == (
        False, "0.00", str(per_capita))


@pytest.mark.parametrize("size", SIZES)
def test_income_a_fen_below_the_standard_per_head(api, household_of, size):
    total = (URBAN_2026 - Decimal("0.01")) * size
    household = household_of(size, total)
    answer = quote(api, "dibao", {"household": household.pk, "month": "2026-03"})
    assert_contract(answer)
    per_capita, amount = by_hand(URBAN_2026, total, size)
    assert (per_capita, amount) == (Decimal("769.99"), Decimal("0.01") * size)
    assert (answer["eligible"], answer["per_capita_income"], answer["monthly_amount"]) == (
        True, "769.99", str(amount))


@pytest.mark.parametrize(("size", "total"), [(3, "1000.00"), (6, "1001.00"), (4, "999.98"), (5, "1234.56")])
def test_per_capita_rounded_to_the_fen_before_the_difference(api, household_of, size, total):
    household = household_of(size, Decimal(total))
    answer = quote(api, "dibao", {"household": household.pk, "month": "2026-03"})
    per_capita, amount = by_hand(URBAN_2026, Decimal(total), size)
    assert (answer["per_capita_income"], answer["monthly_amount"]) == (str(per_capita), str(amount))
    assert answer["lines"][-1]["label"] == f"低保金 = {URBAN_2026 - per_capita:.2f} × {size}"


def test_the_standard_in_force_in_the_month_asked_and_by_hukou(api, household_of):
    urban = household_of(2, Decimal("500"), since=date(2025, 1, 1))
    rural = household_of(2, Decimal("500"), hukou="rural")
    # 2025-10 is under 渝民发〔2024〕9号 (750 urban); 2026-03 under 渝民规〔2025〕6号 (770 urban, 630 rural)
    autumn = quote(api, "dibao", {"household": urban.pk, "month": "2025-10"})
    assert (autumn["standard"], autumn["monthly_amount"]) == ("750.00", str(by_hand(URBAN_2025, Decimal(500), 2)[1]))
    countryside = quote(api, "dibao", {"household": rural.pk, "month": "2026-03"})
    assert (countryside["standard"], countryside["monthly_amount"]) == (
        "630.00", str(by_hand(RURAL_2026, Decimal(500), 2)[1]))


def test_household_outside_the_users_area_is_a_404(api, household_of, areas):
    elsewhere = household_of(2, Decimal(0), area=areas["community_b"])
    answer = quote(api, "dibao", {"household": elsewhere.pk, "month": "2026-03"}, expect=404)
    assert answer["detail"] == "未找到该记录，或不在您的管辖范围内"
    # the same answer as a household that does not exist, and the town-B officer does see it
    missing = quote(api, "dibao", {"household": 10**9, "month": "2026-03"}, expect=404)
    assert missing == answer
    assert quote(api, "dibao", {"household": elsewhere.pk, "month": "2026-03"}, who="outsider")["eligible"] is True


def test_unknown_programme_is_a_404(api, household_of):
    household = household_of(1, Decimal(0))
    quote(api, "gaoling_x", {"household": household.pk, "month": "2026-03"}, expect=404)


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026/03", "202603", "26-03", "", "2026-3", None, 202603])
def test_bad_month_is_a_400_naming_month(api, household_of, month):
    household = household_of(1, Decimal(0))
    answer = quote(api, "dibao", {"household": household.pk, "month": month}, expect=400)
    assert set(answer) == {"month"} and "month" in answer["month"][0]


def test_missing_month_is_a_400_naming_month(api, household_of):
    household = household_of(1, Decimal(0))
    answer = quote(api, "dibao", {"household": household.pk}, expect=400)
    assert "month" in answer and "month" in answer["month"][0]
