"""The set-based form of the 低保 amount (SQL over the stored quote facts) agrees with the Python quote.

Households decided in 2025-12 (standards 750 urban / 610 rural) are re-rated for 2026-01 (770 / 630) by the SQL
form and quoted again in Python for 2026-01; the amounts must be equal to the fen. The sample covers sizes 1–4,
both hukou types, no income, incomes whose per-capita figure rounds half up (1.01 ÷ 2 = 0.505 → 0.51;
1000 ÷ 3 = 333.333… → 333.33; 1001 ÷ 3 = 333.666… → 333.67), and a household whose income exceeds the new
standard's gap for one member (amount never below 0 is the quote's rule too)."""

from datetime import date

import pytest
from django.db import connection

from minzheng.lookups import prefix_upper_bound
from programs.calculations import quote
from programs.models import Enrolment, Program
from programs.rerate import set_form_amount
from programs.services import enrolment_start

pytestmark = pytest.mark.django_db
DEC_2025, JAN_2026 = date(2025, 12, 1), date(2026, 1, 1)
SAMPLE = [  # (size, hukou, income of the first member)
    (1, "urban", None), (2, "urban", None), (3, "urban", "1000"), (3, "urban", "1001"), (2, "urban", "1.01"),
    (4, "rural", "850.50"), (1, "rural", None), (2, "rural", "1200"), (1, "urban", "749.99"), (4, "urban", "2999"),
]


def test_sql_form_and_python_quote_agree(make):
    program = Program.objects.get(code="dibao")
    enrolments = []
    for size, hukou, income in SAMPLE:
        household, people = make.household(size, hukou=hukou)
        if income:
            make.income(household, people[0], "wage", income)
        decided = quote(program=program, household=household, month=DEC_2025)
        assert decided.eligible, (size, hukou, income, decided.reasons)
        enrolments.append(enrolment_start(acting_user=make.officer, program=program, household=household,
                                          start_month=DEC_2025, quote=decided))
    joins, amount, params = set_form_amount(program, JAN_2026, "50", prefix_upper_bound("50"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT e.id, {amount} FROM programs_enrolment e {joins} WHERE e.program_id = %s",
                       [*params, "dibao"])
        by_sql = {pk: f"{float(value):.2f}" for pk, value in cursor.fetchall()}
    by_python = {e.pk: f"{quote(program=program, household=e.household, month=JAN_2026).monthly_amount:.2f}"
                 for e in Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).select_related("household")}
    assert by_sql == by_python
    # The figures by hand for three of them: (770 − 0) × 1, (770 − 333.33) × 3, (630 − 212.63) × 4.
    first, third, sixth = enrolments[0].pk, enrolments[2].pk, enrolments[5].pk
    assert (by_sql[first], by_sql[third], by_sql[sixth]) == ("770.00", "1310.01", "1669.48")
