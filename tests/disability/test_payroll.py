"""The two subsidies in a generated payroll (the platform's own payments generation), before and after 2026-01-01:
the amounts are worked here from RULES.md §4 — 生活补贴 100 from 2026-01-01 (+10, so 90 before); 护理补贴 一级 110 /
二级 100 from 2026-01-01 and the seeded pre-2026 placeholders 10 less — and a grade change re-rated by itself."""

from datetime import date
from decimal import Decimal

import pytest

from payments.models import BankAccount, PaymentLine
from payments.services import cycle_open
from programs.models import Enrolment, Rerate
from tests.payments.conftest import generate  # noqa: F401 — fixture re-used

pytestmark = pytest.mark.django_db
DEC_2025, JAN_2026, FEB_2026 = date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)
RISE = Decimal(10)
LIVING = {"2026": Decimal(100)}
CARE = {1: Decimal(110), 2: Decimal(100)}


def _bank(person, seq):
    BankAccount.objects.create(person=person, area_id=person.area_id, bank_name="重庆农村商业银行",
                               account_number=f"62210000{seq:010d}")


def _paid(cycle) -> dict[tuple[str, int], Decimal]:
    return {(line.enrolment.program_id, line.enrolment.person_id): line.amount
            for line in PaymentLine.objects.filter(cycle=cycle, enrolment__program__code__startswith="disability")
            .select_related("enrolment")}


def test_amounts_before_and_after_2026_and_a_grade_change(make, generate):  # noqa: F811
    officer = make.officer
    household, (member,) = make.household(1)
    make.dibao(household)
    make.certificate(member, 1)
    severe = make.person("二级持证")
    make.certificate(severe, 2)
    for seq, person in enumerate((member, severe), start=1):
        _bank(person, seq)
    make.enrol("disability_living", member, DEC_2025)
    make.enrol("disability_care", member, DEC_2025)
    make.enrol("disability_care", severe, DEC_2025)

    december = cycle_open(acting_user=officer, month=DEC_2025)
    generate(december, officer)
    assert _paid(december) == {("disability_living", member.pk): LIVING["2026"] - RISE,
                               ("disability_care", member.pk): CARE[1] - RISE,
                               ("disability_care", severe.pk): CARE[2] - RISE}

    january = cycle_open(acting_user=officer, month=JAN_2026)
    generate(january, officer)
    assert _paid(january) == {("disability_living", member.pk): LIVING["2026"],
                              ("disability_care", member.pk): CARE[1],
                              ("disability_care", severe.pk): CARE[2]}
    assert Rerate.objects.filter(cause=Rerate.Cause.PARAMETER, valid_from=JAN_2026, status="applied").count() == 2

    make.certificate(severe, 1)  # re-assessed: grade 1 from February
    february = cycle_open(acting_user=officer, month=FEB_2026)
    generate(february, officer)
    assert _paid(february)[("disability_care", severe.pk)] == CARE[1]
    assert Rerate.objects.filter(cause=Rerate.Cause.CARE_LEVEL, valid_from=FEB_2026).count() == 1
    assert Enrolment.objects.get(program_id="disability_care", person=severe).monthly_amount == CARE[1]
