"""The domain indicators wired at merge, each on a small crafted dataset against a figure worked by hand here:
老年人能力综合评估率, 养老机构护理型床位占比, 镇街未成年人保护工作站覆盖率, 残疾人两项补贴覆盖率; the drill-down
count equals the numerator."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from areas.models import Area, AreaLevel
from children.models import ProtectionStation
from eldercare.models import CareHome
from eldercare.selectors import current_standard, items_of
from eldercare.services import assessment_record
from indicators import selectors
from indicators.models import Indicator, IndicatorValue
from indicators.services import snapshots_refresh
from programs.models import Enrolment
from registry.models import Disability, Person
from tests.conftest import make_id
from tests.eldercare.conftest import full_scores
from tests.indicators.conftest import MONTH

pytestmark = pytest.mark.django_db


def value(code, area, month=MONTH):
    snapshots_refresh(month=month, codes=[code])
    return IndicatorValue.objects.get(indicator_id=code, area_code=area, period_start=month)


def q(x):
    return Decimal(x).quantize(Decimal("0.0001"))


def test_the_wired_indicators_are_collected():
    codes = ["elderly_ability_assessment_rate", "nursing_bed_share", "minor_protection_station_coverage",
             "disability_living_subsidy_coverage", "disability_care_subsidy_coverage"]
    collected = Indicator.objects.filter(code__in=codes, status="collected").values_list("code", flat=True)
    assert set(collected) == set(codes)


def test_nursing_bed_share(areas, personas):
    CareHome.objects.create(name="甲院", area_id=areas["community_a"], beds=100, nursing_beds=70)
    CareHome.objects.create(name="乙院", area_id=areas["community_b"], beds=50, nursing_beds=20)
    district = value("nursing_bed_share", areas["district"])
    assert (district.numerator, district.denominator) == (90, 150) and district.value == q(Decimal(90) / 150 * 100)
    town_a = IndicatorValue.objects.get(indicator_id="nursing_bed_share", area_code=areas["town_a"])
    assert town_a.value == q(70)


def test_minor_protection_station_coverage(areas, personas):
    towns = Area.objects.filter(level=AreaLevel.TOWN, code__startswith=areas["district"][:6]).count()
    ProtectionStation.objects.create(area_id=areas["town_a"], name="甲街道未保站", opened_on=date(2025, 6, 1))
    ProtectionStation.objects.create(area_id=areas["town_b"], name="乙镇未保站", opened_on=date(2026, 2, 1))  # later
    district = value("minor_protection_station_coverage", areas["district"])
    assert (district.numerator, district.denominator) == (1, towns)
    assert district.value == q(Decimal(100) / towns)
    indicator = Indicator.objects.get(code="minor_protection_station_coverage")
    assert selectors.records(personas["leader"], indicator, MONTH).count() == district.numerator


def test_ability_assessment_rate(areas, personas):
    officer = personas["district_officer"]
    older = [Person.objects.create(name=f"老人{i}", area_id=areas["community_a"], birth_date=date(1950, 1, 1),
                                   id_number=make_id("500106", "19500101", 40 + i)) for i in range(4)]
    Person.objects.create(name="青年", area_id=areas["community_a"], birth_date=date(1990, 1, 1),
                          id_number=make_id("500106", "19900101", 50))
    items = full_scores(items_of(current_standard()), 80)
    assessment_record(acting_user=officer, person=older[0], on=date(2025, 12, 10), reason="first", items=items,
                      second_assessor=personas["town_officer"])
    district = value("elderly_ability_assessment_rate", areas["district"])
    assert (district.numerator, district.denominator) == (1, 4) and district.value == q(25)
    indicator = Indicator.objects.get(code="elderly_ability_assessment_rate")
    assert selectors.records(officer, indicator, MONTH).count() == 1


def test_disability_care_subsidy_coverage(areas, personas):
    def holder(seq, grade):
        person = Person.objects.create(name=f"持证{seq}", area_id=areas["community_a"], birth_date=date(1980, 1, 1),
                                       id_number=make_id("500106", "19800101", 60 + seq))
        Disability.objects.create(person=person, category="physical", grade=grade, area_id=person.area_id,
                                  certificate_number=f"{person.id_number}11", issued_on=date(2020, 1, 1))
        return person

    severe = [holder(1, 1), holder(2, 2), holder(3, 1)]
    holder(4, 3)  # grade 3: not eligible for the care subsidy
    Enrolment.objects.create(program_id="disability_care", person=severe[0], area_id=severe[0].area_id,
                             monthly_amount=Decimal("110.00"), start_month=date(2025, 6, 1))
    district = value("disability_care_subsidy_coverage", areas["district"])
    assert (district.numerator, district.denominator) == (1, 3) and district.value == q(Decimal(100) / 3)


def test_visits_against_plan(areas, personas):
    from carevisits.models import RosterEntry, Visit

    worker = personas["community_worker"]
    people = [Person.objects.create(name=f"探访{i}", area_id=areas["community_a"], birth_date=date(1940, 1, 1),
                                    id_number=make_id("500106", "19400101", 70 + i)) for i in range(2)]
    entries = [RosterEntry.objects.create(person=p, area_id=p.area_id, living_alone=True) for p in people]
    moment = timezone.make_aware(datetime(2026, 1, 15, 10))
    for reached in (True, True, True, False):
        Visit.objects.create(entry=entries[0], person=people[0], area_id=people[0].area_id, kind="phone", at=moment,
                             reached=reached, worker=worker)
    district = value("elderly_visits_against_plan", areas["district"])
    # the plan: 2 people × (1 home visit + 3 calls) a week × 31/7 weeks of January = 35.43; 3 calls reached
    planned = (Decimal(2 * 4) * Decimal(31) / 7).quantize(Decimal("0.01"))
    assert (district.numerator, district.denominator) == (3, planned)
    assert district.value == q(Decimal(3) / planned * 100)
    indicator = Indicator.objects.get(code="elderly_visits_against_plan")
    assert selectors.records(personas["district_officer"], indicator, MONTH).count() == 3


def test_visits_against_plan_has_no_figure_before_the_plan_existed(areas):
    snapshots_refresh(month=date(2025, 1, 1), codes=["elderly_visits_against_plan"])  # the plan starts in 2026
    assert not IndicatorValue.objects.filter(indicator_id="elderly_visits_against_plan").exists()
