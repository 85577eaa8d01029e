"""高龄津贴 through the one payroll: the age bands and the higher 低保/特困 amounts (the figures of RULES.md §4,
大渡口's example, seeded as the district's unverified placeholders), and the two stops (death, 生存认证)."""

from datetime import date
from decimal import Decimal

import pytest

from eldercare.allowances import survival_check_fail, survival_check_pass
from monitoring.services import auto_enrol_old_age
from payments.models import PaymentLine
from payments.services import cycle_open
from programs.models import Enrolment
from programs.selectors import parameter_at
from registry.services import person_record_death
from tests.payments.conftest import FEB, MAR

# RULES.md §4, 渡民发〔2025〕6号: (general, 低保/特困) per band, yuan a month.
FIGURES = {"80-89": (Decimal("25"), Decimal("100")), "90-99": (Decimal("100"), Decimal("200")),
           "100+": (Decimal("500"), Decimal("600"))}
TODAY = date(2026, 2, 10)


def _band(age: int) -> str:
    return "100+" if age >= 100 else "90-99" if age >= 90 else "80-89"


@pytest.fixture
def old(roll):
    def make(name, birth, **kw):
        person = roll.person(name, **kw)
        person.birth_date = birth
        person.save(update_fields=["birth_date"])
        return person
    people = {"a85": make("八十五", date(1941, 1, 1)), "a95": make("九十五", date(1931, 1, 1)),
              "a101": make("一百零一", date(1925, 1, 1)), "d85": make("低保八十五", date(1941, 2, 2)),
              "t92": make("特困九十二", date(1934, 1, 5)), "young": make("七十九", date(1947, 1, 1))}
    household, _ = roll.household(people=[roll.person("户主"), people["d85"]])
    roll.enrol("dibao", "500", household=household)
    roll.enrol("tekun", "1200", person=people["t92"])
    return people


def _ages(people, on):
    return {k: on.year - p.birth_date.year - ((on.month, on.day) < (p.birth_date.month, p.birth_date.day))
            for k, p in people.items()}


def test_payroll_pays_each_band_and_the_higher_assisted_amount(old, officer, generate):
    assert auto_enrol_old_age(today=TODAY)["enrolled"] == 5  # all but the 79-year-old
    cycle = cycle_open(acting_user=officer, month=FEB)
    generate(cycle, officer)
    paid = {line.person_id: line.amount for line in PaymentLine.objects.filter(cycle=cycle, program_id="gaoling")}
    ages = _ages(old, FEB)
    for key, person in old.items():
        if key == "young":
            assert person.pk not in paid
            continue
        general, assisted = FIGURES[_band(ages[key])]
        assert paid[person.pk] == (assisted if key in ("d85", "t92") else general), key


def test_the_example_district_has_its_own_verified_figures(db):
    row = parameter_at("gaoling", "gaoling_100_assisted", "500104001001", MAR)
    assert (row.value, row.verified) == (FIGURES["100+"][1], True)
    placeholder = parameter_at("gaoling", "gaoling_100_assisted", "500106001001", MAR)
    assert (placeholder.value, placeholder.verified) == (FIGURES["100+"][1], False)


def test_death_and_a_failed_survival_check_stop_it(old, officer, personas, generate):
    auto_enrol_old_age(today=TODAY)
    person_record_death(acting_user=officer, person=old["a85"], death_date=date(2026, 2, 5))
    survival_check_fail(acting_user=officer, person=old["a95"], month=MAR, note="连续两次未认证")
    assert Enrolment.objects.get(program_id="gaoling", person=old["a85"]).status == "ended"
    cycle = cycle_open(acting_user=officer, month=MAR)
    generate(cycle, officer)
    paid = set(PaymentLine.objects.filter(cycle=cycle, program_id="gaoling").values_list("person_id", flat=True))
    assert old["a85"].pk not in paid and old["a95"].pk not in paid and old["a101"].pk in paid
    assert survival_check_pass(acting_user=officer, person=old["a95"], month=MAR).status == "active"


def test_crossing_90_is_re_rated_before_the_payroll(roll, officer, generate):
    person = roll.person("将满九十")
    person.birth_date = date(1936, 2, 20)  # 89 on 2026-02-10, 90 from 2026-02-20
    person.save(update_fields=["birth_date"])
    auto_enrol_old_age(today=TODAY)
    enrolment = Enrolment.objects.get(program_id="gaoling", person=person)
    assert enrolment.monthly_amount == FIGURES["80-89"][0]
    cycle = cycle_open(acting_user=officer, month=MAR)
    generate(cycle, officer)
    line = PaymentLine.objects.get(cycle=cycle, person=person, kind="regular")
    assert line.amount == FIGURES["90-99"][0]
