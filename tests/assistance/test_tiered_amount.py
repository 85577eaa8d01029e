"""分档 (《最低生活保障审核确认办法》第二十三条: 差额 or 分档, the county's choice): off by default — the gap formula —
and, once a district sets tiers for a period, the quote pays the tier of the household's per-capita income per
member, citing its source and 未核实 while unverified. Expected amounts are worked here from the figures."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from programs.calculations import quote
from programs.models import AmountTier
from programs.selectors import parameter_at
from programs.tiers import amount_tiers_at, amount_tiers_set
from registry.services import income_add

pytestmark = pytest.mark.django_db
MONTH = date(2026, 3, 1)
TIERS = [{"income_from": "0", "income_to": "300", "amount": "600"},
         {"income_from": "300", "income_to": "600", "amount": "400"},
         {"income_from": "600", "income_to": None, "amount": "150"}]


@pytest.fixture
def household(families, staff):
    """Urban, 3 members, counted income 1200 → per capita 400."""
    household, people = families.household(["郑一", "郑二", "郑三"])
    income_add(acting_user=staff["district_officer"], household=household, person=people[0], category="wage",
               monthly_amount=Decimal("1200"), start_month=date(2026, 1, 1))
    return household


def test_gap_formula_by_default(household):
    assert amount_tiers_at("dibao", household.area_id, MONTH) == []  # nothing seeded: off
    standard = parameter_at("dibao", "standard_urban", household.area_id, MONTH).value
    result = quote(program="dibao", household=household, month=MONTH)
    per_capita = Decimal("1200") / 3
    assert result.monthly_amount == (standard - per_capita) * 3
    assert "amount_rule" not in result.flags


def test_tiers_pay_the_tier_of_the_per_capita_income(household, staff, areas):
    district = areas["district"]
    amount_tiers_set(acting_user=staff["district_officer"], program="dibao", area_code=district,
                     valid_from=date(2026, 3, 1), tiers=TIERS, source="区民政局分档施保试行办法（测试）")
    result = quote(program="dibao", household=household, month=MONTH)
    per_capita = Decimal("1200") / 3  # 400: the second tier
    tier = next(t for t in TIERS if Decimal(t["income_from"]) <= per_capita
                and (t["income_to"] is None or per_capita < Decimal(t["income_to"])))
    assert result.eligible and result.monthly_amount == Decimal(tier["amount"]) * 3
    assert result.flags["amount_rule"] == "tiered" and result.unverified
    assert any("分档补助" in label and label.endswith("（未核实）") for label, _ in result.lines)
    # the month before the tiers start is still the gap formula
    before = quote(program="dibao", household=household, month=date(2026, 2, 1))
    standard = parameter_at("dibao", "standard_urban", household.area_id, date(2026, 2, 1)).value
    assert before.monthly_amount == (standard - per_capita) * 3


def test_a_new_set_ends_the_old_one_and_bad_ranges_are_refused(staff, areas):
    district, officer = areas["district"], staff["district_officer"]
    amount_tiers_set(acting_user=officer, program="dibao", area_code=district, valid_from=date(2026, 1, 1),
                     tiers=TIERS, source="试行")
    amount_tiers_set(acting_user=officer, program="dibao", area_code=district, valid_from=date(2026, 7, 1),
                     tiers=[{"income_from": "0", "income_to": None, "amount": "500"}], source="修订")
    assert AmountTier.objects.filter(valid_to=date(2026, 6, 30)).count() == 3
    assert [t.amount for t in amount_tiers_at("dibao", areas["community_a"], date(2026, 7, 1))] == [Decimal("500")]
    with pytest.raises(ValidationError, match="重叠"):
        amount_tiers_set(acting_user=officer, program="dibao", area_code=district, valid_from=date(2026, 9, 1),
                         tiers=[{"income_from": "0", "income_to": "400", "amount": "1"},
                                {"income_from": "300", "income_to": None, "amount": "1"}], source="错")
    with pytest.raises(PermissionDenied):
        amount_tiers_set(acting_user=staff["town_officer"], program="dibao", area_code=district,
                         valid_from=date(2026, 9, 1), tiers=TIERS, source="越权")
