"""能力等级 → 特困照料护理等级: an assessment of a current 特困 recipient records the care level the mapping table
gives, from the month after the assessment, and the next payroll pays 基本生活标准 + that level's 照料护理补贴."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError

from assistance.models import CareLevelChange
from audit.models import DomainEvent, EventType
from eldercare.carelevel import care_level_mapping_at
from eldercare.models import Assessment, CareLevelMapping
from eldercare.selectors import current_standard, items_of
from eldercare.services import assessment_record
from payments.models import PaymentLine
from payments.services import cycle_open
from programs.calculations import quote
from programs.models import Program
from programs.selectors import ParameterNotFound, parameter_at
from programs.services import enrolment_start
from tests.eldercare.conftest import full_scores

pytestmark = pytest.mark.django_db
OCT, NOV, DEC = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)
ASSESSED = date(2026, 11, 20)
CARE_KEYS = {"self": "care_self", "half": "care_half", "full": "care_full"}


def _yuan(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _expected(area: str, month: date, care_level: str) -> Decimal:
    """特困供养金 from the figures in force: 基本生活标准 (tekun_standard, or 城市低保 × multiplier) + 护理补贴."""
    try:
        basic = _yuan(parameter_at("tekun", "tekun_standard", area, month).value)
    except ParameterNotFound:  # the calculator's documented fallback
        basic = _yuan(parameter_at("dibao", "standard_urban", area, month).value
                      * parameter_at("tekun", "tekun_multiplier", area, month).value)
    return basic + _yuan(parameter_at("tekun", CARE_KEYS[care_level], area, month).value)


@pytest.fixture
def recipient(roll, personas):
    """A 特困 recipient at 半护理 since October 2026."""
    person = roll.person("杨孤老")
    person.birth_date = date(1941, 4, 4)
    person.save(update_fields=["birth_date"])
    program = Program.objects.get(code="tekun")
    result = quote(program=program, person=person, month=OCT, care_level="half", no_supporter=True)
    enrolment = enrolment_start(acting_user=personas["district_approver"], program=program, person=person,
                                start_month=OCT, quote=result, support_mode="dispersed")
    return person, enrolment


def _assess(personas, person, total: int, on: date = ASSESSED):
    items = list(items_of(current_standard()))
    return assessment_record(acting_user=personas["community_worker"], person=person, on=on, reason="immediate",
                             items=full_scores(items, total), second_assessor=personas["town_officer"])


def test_level_3_maps_to_the_table_row_and_the_next_payroll_pays_the_new_care_amount(recipient, personas, officer,
                                                                                     generate):
    person, enrolment = recipient
    assert enrolment.monthly_amount == _expected(person.area_id, OCT, "half")
    assessment = _assess(personas, person, 40)  # 30–45 points: 重度失能 (3)
    assert assessment.level == 3
    row = care_level_mapping_at(ability_level=3, area_code=person.area_id, on=ASSESSED)
    assert (row.care_level, row.verified) == ("full", False)  # the seeded default, shown as unverified

    enrolment.refresh_from_db()
    assert enrolment.care_level == row.care_level
    change = CareLevelChange.objects.get(enrolment=enrolment)
    assert (change.from_level, change.to_level, change.effective_month) == ("half", "full", DEC)
    assert change.basis["mapping_verified"] is False
    event = DomainEvent.objects.get(type=EventType.CARE_LEVEL_CHANGED, person=person)
    assert "半护理" in event.message and "全护理" in event.message and "未经核实" in event.message

    # November (the assessment's month) is still paid at the old level; December at the new one.
    november = cycle_open(acting_user=officer, month=NOV)
    generate(november, officer)
    assert list(PaymentLine.objects.filter(cycle=november).values_list("amount", flat=True)) == [
        _expected(person.area_id, NOV, "half")]
    december = cycle_open(acting_user=officer, month=DEC)
    generate(december, officer)
    paid = list(PaymentLine.objects.filter(cycle=december, kind="regular").values_list("amount", flat=True))
    assert paid == [_expected(person.area_id, DEC, "full")]
    assert paid[0] - _expected(person.area_id, DEC, "half") == (
        parameter_at("tekun", "care_full", person.area_id, DEC).value
        - parameter_at("tekun", "care_half", person.area_id, DEC).value)


def test_a_district_row_overrides_the_city_default(recipient, personas):
    person, enrolment = recipient
    CareLevelMapping.objects.create(ability_level=3, care_level="half", area_code="500106000000",
                                    valid_from=date(2026, 1, 1), source="测试用区级规定", verified=True)
    _assess(personas, person, 40)
    enrolment.refresh_from_db()
    assert enrolment.care_level == "half"  # unchanged: the district's row maps 3 to 半护理
    assert not CareLevelChange.objects.exists()


def test_no_enrolment_no_change_and_a_missing_row_saves_nothing(roll, personas, recipient):
    other = roll.person("非特困老人")
    other.birth_date = date(1945, 1, 1)
    other.save(update_fields=["birth_date"])
    _assess(personas, other, 40)
    assert not CareLevelChange.objects.exists()

    person, _ = recipient
    CareLevelMapping.objects.filter(ability_level=4).delete()
    with pytest.raises(ValidationError) as exc:
        _assess(personas, person, 10)  # 完全失能 (4): no row in force
    assert "能力等级4" in str(exc.value)
    assert not Assessment.objects.filter(person=person).exists()  # nothing half-saved
