"""单人户 (《最低生活保障审核确认办法》第八条): in a 低保边缘家庭 a seriously disabled or seriously ill member
is enrolled in 低保 alone — household size 1, their own income — only when the registry backs the ground.
Expected amounts are worked from the standard and the multiplier in force, never copied from the output."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError

from assistance import services
from casework.models import Case
from programs.calculations import quote
from programs.selectors import parameter_at
from registry.facts import person_fact_record
from registry.models import PersonFact
from registry.services import disability_record, income_add

pytestmark = pytest.mark.django_db
MONTH = date(2026, 3, 1)
FEN = Decimal("0.01")


@pytest.fixture
def edge(families, staff):
    """An urban 2-person household: the head earns 1900, the disabled member 100 (both counted wage income)."""
    household, (head, member) = families.household(["周一", "周二"])
    officer = staff["district_officer"]
    for person, amount in ((head, "1900"), (member, "100")):
        income_add(acting_user=officer, household=household, person=person, category="wage",
                   monthly_amount=Decimal(amount), start_month=date(2026, 1, 1))
    return household, head, member


def _figures(household):
    standard = parameter_at("dibao", "standard_urban", household.area_id, MONTH).value
    factor = parameter_at("dibao_bianyuan", "bianyuan_multiplier", household.area_id, MONTH).value
    return standard, (standard * factor).quantize(FEN, ROUND_HALF_UP)


def _single(household, member, ground="disability"):
    return quote(program="dibao", household=household, month=MONTH, single_person=member.pk,
                 single_person_ground=ground)


def test_a_seriously_disabled_member_of_an_edge_household_is_quoted_alone(edge, staff):
    household, head, member = edge
    standard, line = _figures(household)
    per_capita = (Decimal("1900") + Decimal("100")) / 2
    assert standard <= per_capita < line  # the household is a 低保边缘家庭, not 低保-eligible as a whole
    assert not quote(program="dibao", household=household, month=MONTH).eligible

    disability_record(acting_user=staff["district_officer"], person=member, category="physical", grade=2)
    result = _single(household, member)
    assert result.eligible, result.reasons
    assert result.household_size == 1 and result.per_capita_income == Decimal("100.00")
    assert result.monthly_amount == (standard - Decimal("100")) * 1
    labels = dict(result.lines)
    assert labels["单人户事由登记"] == "残疾人证：肢体残疾二级" and labels["单人户人数（其他家庭成员不纳入）"] == "1"


def test_the_ground_must_be_on_record(edge, staff):
    household, head, member = edge
    # 三级 qualifies only for 智力/精神 disability: 三级肢体 does not
    disability_record(acting_user=staff["district_officer"], person=member, category="physical", grade=3)
    result = _single(household, member)
    assert not result.eligible and any("没有一级、二级残疾或三级智力、精神残疾" in r for r in result.reasons)
    ill = _single(household, member, ground="serious_illness")
    assert not ill.eligible and any("没有重特大疾病登记" in r for r in ill.reasons)
    person_fact_record(acting_user=staff["district_officer"], person=member, kind=PersonFact.Kind.SERIOUS_ILLNESS,
                       value="尿毒症", valid_from=date(2026, 1, 10), diagnosed_on=date(2026, 1, 10))
    standard, _ = _figures(household)
    ill = _single(household, member, ground="serious_illness")
    assert ill.eligible and ill.monthly_amount == standard - Decimal("100")


def test_only_an_edge_household(families, staff):
    """Below the 低保 line the whole household applies; at or above the 低保边缘 line nobody enters alone."""
    officer = staff["district_officer"]
    for wage in ("300", "2400"):
        household, (head, member) = families.household(["吴一", "吴二"])
        income_add(acting_user=officer, household=household, person=head, category="wage",
                   monthly_amount=Decimal(wage), start_month=date(2026, 1, 1))
        disability_record(acting_user=officer, person=member, category="mental", grade=3)
        standard, line = _figures(household)
        per_capita = Decimal(wage) / 2
        result = _single(household, member)
        assert not result.eligible
        expected = ("应以全家申请低保" if per_capita < standard else "不属于低保边缘家庭")
        assert any(expected in r for r in result.reasons), (wage, result.reasons)


def test_the_application_refuses_an_unbacked_ground_and_enrols_the_member_alone(edge, staff, clock):
    household, head, member = edge
    town = staff["town_officer"]
    with pytest.raises(ValidationError) as refused:
        services.application_submit(acting_user=town, program="dibao", household=household,
                                    inputs={"single_person": member.pk, "single_person_ground": "disability"})
    assert "single_person_ground" in refused.value.message_dict
    assert "周二没有一级、二级残疾" in refused.value.message_dict["single_person_ground"][0]
    assert not Case.objects.exists()  # nothing half-saved
    with pytest.raises(ValidationError) as other:
        services.application_submit(acting_user=town, program="tekun", person=member,
                                    inputs={"single_person": member.pk, "single_person_ground": "disability"})
    assert "不适用单人户申请" in other.value.messages[0]

    disability_record(acting_user=staff["district_officer"], person=member, category="intellectual", grade=3)
    case = services.application_submit(acting_user=town, program="dibao", household=household,
                                       authorised_data_check=True,
                                       inputs={"single_person": member.pk, "single_person_ground": "disability"})
    assert case.applicant == member and case.inputs["single_person"] == member.pk
    from tests.assistance_pages.conftest import Cases

    Cases(staff, None, clock).advance(case, "confirmed")
    case.refresh_from_db()
    standard = parameter_at("dibao", "standard_urban", household.area_id, case.enrolment.start_month).value
    enrolment = case.enrolment
    assert (enrolment.person, enrolment.household) == (member, household)
    assert enrolment.monthly_amount == standard - Decimal("100")
    assert enrolment.calculation["household_size"] == 1
    assert case.notices.get().content["household_size"] == 1  # the 公示 shows one person
