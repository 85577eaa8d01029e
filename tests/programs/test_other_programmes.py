"""特困, 低保边缘, 刚性支出困难, 临时救助 quotes, and unverified figures shown as such."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programs.calculations import quote
from programs.models import PolicyParameter
from registry.services import disability_record
from tests.programs.conftest import FEB_2026

pytestmark = pytest.mark.django_db
D = Decimal


def tekun(person, **inputs):
    return quote(program="tekun", person=person, month=FEB_2026, **{"no_supporter": True, **inputs})


def test_tekun_with_full_care_in_2026_is_1001_plus_500(make):
    elder = make.person("孤老甲", birth="19500301")
    result = tekun(elder, care_level="full")
    assert result.eligible, result.reasons
    assert (result.standard, result.monthly_amount) == (D("1001.00"), D("1501.00"))
    lines = dict(result.lines)
    assert lines["特困人员基本生活标准（渝民规〔2025〕6号）"] == "1001.00"
    assert lines["照料护理补贴（全护理，渝民发〔2024〕9号）"] == "500.00"
    assert lines["特困人员救助供养金 = 1001.00 + 500.00"] == "1501.00"
    assert lines["年龄（按测算月1日计）"] == "75周岁"


@pytest.mark.parametrize(("level", "care"), [("self", "100"), ("half", "300"), ("full", "500")])
def test_tekun_care_levels(make, level, care):
    elder = make.person("孤老乙", birth="19400101")
    assert tekun(elder, care_level=level).monthly_amount == D("1001") + D(care)


def test_tekun_before_september_2024_uses_the_old_care_subsidy(make):
    elder = make.person("孤老丙", birth="19400101")
    result = quote(program="tekun", person=elder, month=date(2024, 6, 1), care_level="full", no_supporter=True)
    assert result.monthly_amount == D("955") + D("300")


def test_tekun_needs_no_work_capacity(make):
    adult = make.person("中年人", birth="19800101")
    result = tekun(adult, care_level="self")
    assert not result.eligible and result.monthly_amount == D("0.00")
    assert result.reasons[0].startswith("不符合无劳动能力条件")


@pytest.mark.parametrize(("category", "grade", "eligible"), [
    ("physical", 2, True), ("physical", 3, False), ("intellectual", 3, True), ("mental", 3, True),
    ("mental", 4, False), ("visual", 1, True), ("visual", 2, False), ("hearing", 1, False),
])
def test_tekun_severe_disability_categories(make, category, grade, eligible):
    adult = make.person("残疾人", birth="19800101")
    disability_record(acting_user=make.officer, person=adult, category=category, grade=grade)
    assert tekun(adult, care_level="half").eligible is eligible


def test_tekun_minor_under_16_qualifies_by_age(make):
    child = make.person("儿童", birth="20150601")
    assert tekun(child, care_level="self").eligible


def test_tekun_needs_the_officer_to_confirm_no_able_supporter(make):
    elder = make.person("老人", birth="19500101")
    result = quote(program="tekun", person=elder, month=FEB_2026, care_level="self")
    assert not result.eligible
    assert result.reasons == ["未确认无法定赡养、抚养、扶养义务人或义务人无履行能力（须经办人核实后确认）"]
    assert dict(result.lines)["无法定赡养、抚养、扶养义务人，或义务人无履行能力（经办人核实确认）"] == "否"


def test_tekun_income_at_the_dibao_standard_means_a_livelihood(make):
    household, (elder,) = make.household(1, births=["19500101"])
    make.income(household, elder, "wage", "770")
    result = tekun(elder, care_level="self")
    assert result.reasons == ["本人月收入不低于当地低保标准，不符合无生活来源条件"]
    make.income(household, elder, "basic_pension", "200")  # 基础养老金 is not counted for 特困
    assert tekun(elder, care_level="self").total_income == D("770.00")


def test_tekun_needs_a_care_level(make):
    elder = make.person("老人", birth="19500101")
    with pytest.raises(ValidationError) as exc:
        tekun(elder)
    assert "care_level" in exc.value.message_dict
    with pytest.raises(ValidationError):
        tekun(elder, care_level="bedridden")


def test_tekun_falls_back_to_the_unverified_multiplier_and_says_so(make):
    PolicyParameter.objects.filter(key="tekun_standard").delete()
    elder = make.person("老人", birth="19500101")
    result = tekun(elder, care_level="full")
    # 1.3 × 770.00 = 1001.00, + 500.00
    assert result.monthly_amount == D("1501.00") and result.unverified
    lines = dict(result.lines)
    assert lines["特困人员基本生活标准 = 770.00 × 1.3"] == "1001.00"
    assert any(label.startswith("特困基本生活标准倍数") and label.endswith("（未核实）") for label in lines)


# ---- 低保边缘 ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("income", "eligible", "reason"), [
    ("1800", True, None),                                     # 900 per head: 770 ≤ 900 < 1155
    ("1000", False, "家庭月人均收入低于低保标准，应按低保办理"),   # 500 per head
    ("2310", False, "家庭月人均收入不低于低保边缘认定标准"),       # exactly 1155.00
    ("1540", True, None),                                     # exactly the 低保 standard: not 低保, so 边缘
])
def test_bianyuan_band_between_the_standard_and_one_and_a_half_times(make, income, eligible, reason):
    household, people = make.household(2)
    make.income(household, people[0], "wage", income)
    result = quote(program="dibao_bianyuan", household=household, month=FEB_2026)
    assert result.eligible is eligible
    assert result.reasons == ([] if reason is None else [reason])
    assert result.monthly_amount == D("0.00") and result.standard == D("1155.00")


def test_unverified_multiplier_is_flagged_in_the_lines(make):
    household, _ = make.household(1)
    result = quote(program="dibao_bianyuan", household=household, month=FEB_2026)
    assert result.unverified
    assert "低保边缘认定倍数（《最低生活保障审核确认办法》第八条；国办发〔2023〕39号）（未核实）" in dict(result.lines)
    unverified = [p.key for p in result.parameters if not p.verified]
    assert unverified == ["bianyuan_multiplier"]


# ---- 刚性支出困难 ---------------------------------------------------------------------------------------------

def test_gangxing_with_spending_over_the_ratio(make):
    household, people = make.household(2)
    make.income(household, people[0], "wage", "2000")
    result = quote(program="gangxing_zhichu", household=household, month=FEB_2026, rigid_expenditure="15000")
    # 12 × 2000 = 24000; 24000 ÷ 2 = 12000 < 36000 (placeholder); 15000 > 24000 × 0.5
    assert result.eligible, result.reasons
    assert result.monthly_amount == D("0.00") and result.unverified
    lines = dict(result.lines)
    assert lines["近12个月家庭总收入（按当月计入收入估算）= 2000.00 × 12"] == "24000.00"
    assert lines["刚性支出占比 = 15000.00 ÷ 24000.00"] == "62.50%"


def test_gangxing_spending_exactly_at_the_ratio_does_not_qualify(make):
    household, people = make.household(2)
    result = quote(program="gangxing_zhichu", household=household, month=FEB_2026, rigid_expenditure="12000",
                   income_12m="24000")
    assert result.reasons == ["近12个月刚性支出占家庭总收入的比例未超过认定比例"]
    assert dict(result.lines)["近12个月家庭总收入（经办人录入）"] == "24000.00"


def test_gangxing_income_above_the_disposable_income_does_not_qualify(make):
    household, _ = make.household(1)
    result = quote(program="gangxing_zhichu", household=household, month=FEB_2026, rigid_expenditure="40000",
                   income_12m="36000")
    assert "家庭年人均收入不低于上年度当地居民人均可支配收入" in result.reasons


def test_gangxing_needs_the_spending_entered(make):
    household, _ = make.household(1)
    with pytest.raises(ValidationError) as exc:
        quote(program="gangxing_zhichu", household=household, month=FEB_2026)
    assert "rigid_expenditure" in exc.value.message_dict
    with pytest.raises(ValidationError):
        quote(program="gangxing_zhichu", household=household, month=FEB_2026, rigid_expenditure="abc")


# ---- 临时救助 ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "amount", "town_first"), [
    ("jinan", "800", True), ("jinan", "1000", True), ("jinan", "1000.01", False), ("zhichu", "500", False)])
def test_linshi_amount_is_the_officers_and_the_town_limit_decides_first_approval(make, kind, amount, town_first):
    household, _ = make.household(2)
    result = quote(program="linshi", household=household, month=FEB_2026, linshi_kind=kind, amount=amount)
    assert result.eligible and result.monthly_amount == D(amount)
    assert result.flags["town_first_approval"] is town_first
    assert dict(result.lines)["临时救助金额（一次性发放）"] == f"{D(amount):.2f}"


def test_linshi_town_limit_is_shown_unverified(make):
    household, _ = make.household(1)
    result = quote(program="linshi", household=household, month=FEB_2026, linshi_kind="jinan", amount="100")
    assert any(label.startswith("乡镇（街道）先行救助审批限额") and label.endswith("（未核实）")
               for label, _ in result.lines)


@pytest.mark.parametrize(("inputs", "field"), [
    ({"amount": "100"}, "linshi_kind"), ({"linshi_kind": "jinan"}, "amount"),
    ({"linshi_kind": "jinan", "amount": "0"}, "amount"), ({"linshi_kind": "jinan", "amount": "-5"}, "amount")])
def test_linshi_inputs_are_checked_by_name(make, inputs, field):
    household, _ = make.household(1)
    with pytest.raises(ValidationError) as exc:
        quote(program="linshi", household=household, month=FEB_2026, **inputs)
    assert field in exc.value.message_dict


def test_unit_of_the_programme_is_enforced(make):
    person = make.person("某人")
    household, _ = make.household(1)
    with pytest.raises(ValidationError) as exc:
        quote(program="dibao", person=person, month=FEB_2026)
    assert "household" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        quote(program="tekun", household=household, month=FEB_2026, care_level="self")
    assert "person" in exc.value.message_dict
