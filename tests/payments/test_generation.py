"""Generation: who is paid, the formula kept, idempotence (twice; crash half-way and rerun), set-based cost."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs.models import Job
from payments.generation import chunk_run, chunks_plan
from payments.models import GenerationChunk, PaymentCycle, PaymentLine
from payments.services import cycle_open
from tests.payments.conftest import FEB, JAN, MAR


def _lines(cycle) -> set[tuple]:
    return set(PaymentLine.objects.filter(cycle=cycle).values_list("enrolment_id", "kind", "covered_month", "amount"))


def _regular_roll(roll) -> tuple[list, set[tuple]]:
    """A roll mixing every case; returns the enrolments and the lines March must have."""
    h1, _ = roll.household(2)
    dibao = roll.enrol("dibao", "500.00", household=h1)
    tekun = roll.enrol("tekun", "1200.00", person=roll.person())
    ending = roll.enrol("tekun", "900.00", person=roll.person(), status="ended", end=MAR)
    phasing = roll.enrol("dibao", "300.00", household=roll.household(1)[0], status="phasing_out",
                         phase_out_until=MAR)
    died_in_march = roll.enrol("tekun", "1000.00", person=roll.person(status="deceased", death_date=date(2026, 3, 5)))
    paid = [dibao, tekun, ending, phasing, died_in_march]
    # Not paid in March:
    roll.enrol("dibao", "400.00", household=roll.household(1)[0], status="suspended")
    roll.enrol("tekun", "800.00", person=roll.person(), status="ended", end=FEB)
    roll.enrol("tekun", "800.00", person=roll.person(), start=date(2026, 4, 1))
    roll.enrol("dibao", "300.00", household=roll.household(1)[0], status="phasing_out", phase_out_until=FEB)
    roll.enrol("tekun", "1000.00", person=roll.person(status="deceased", death_date=date(2026, 2, 27)))
    roll.enrol("dibao", "600.00", household=roll.household(people=[
        roll.person(status="deceased", death_date=date(2026, 1, 3))])[0])
    roll.enrol("dibao_bianyuan", "0.00", household=roll.household(1)[0])
    expected = {(e.pk, "regular", MAR, e.monthly_amount) for e in paid}
    return paid, expected


def test_regular_lines_follow_status_months_and_death(roll, officer, generate):
    paid, expected = _regular_roll(roll)
    cycle = cycle_open(acting_user=officer, month=MAR)
    job = generate(cycle, officer)
    assert job.status == Job.Status.DONE, job.error
    assert cycle.status == PaymentCycle.Status.GENERATED
    assert _lines(cycle) == expected
    assert cycle.line_count == 5
    assert cycle.total_amount == Decimal("3900.00")
    assert cycle.totals == {"regular": {"count": 5, "amount": "3900.00"}}


def test_line_keeps_formula_payee_and_bank_snapshot(roll, officer, generate):
    household, people = roll.household(2)
    enrolment = roll.enrol("dibao", "512.30", household=household)
    cycle = cycle_open(acting_user=officer, month=MAR)
    generate(cycle, officer)
    line = PaymentLine.objects.get(cycle=cycle)
    assert line.person_id == people[0].pk and line.household_id == household.pk and line.area_id == household.area_id
    assert line.formula["monthly_amount"] == "512.30"
    assert line.formula["covered_month"] == "2026-03"
    assert line.formula["months"] == 1
    assert line.formula["change_ids"] == list(enrolment.changes.values_list("id", flat=True))
    account = people[0].bank_accounts.get()
    assert (line.bank_account_id, line.account_number) == (account.pk, account.account_number)


def test_generate_twice_gives_the_same_lines(roll, officer, generate):
    _, expected = _regular_roll(roll)
    cycle = cycle_open(acting_user=officer, month=MAR)
    generate(cycle, officer)
    first = list(PaymentLine.objects.filter(cycle=cycle).order_by("id").values_list("id", "amount"))
    generate(cycle, officer)
    assert list(PaymentLine.objects.filter(cycle=cycle).order_by("id").values_list("id", "amount")) == first
    assert _lines(cycle) == expected


def test_crash_half_way_then_rerun_gives_exact_result(roll, officer, generate):
    paid, expected = _regular_roll(roll)
    cycle = cycle_open(acting_user=officer, month=MAR)
    cycle = PaymentCycle.objects.select_related("district").get(pk=cycle.pk)
    chunks = chunks_plan(cycle, size=3)
    assert len(chunks) >= 3
    chunk_run(cycle, chunks[0])  # the worker dies after the first chunk committed
    job = Job.objects.create(kind="payments.generate", params={"cycle": cycle.pk}, status=Job.Status.FAILED)
    PaymentCycle.objects.filter(pk=cycle.pk).update(status=PaymentCycle.Status.GENERATING, job=job,
                                                    generated_by=officer)
    partial = _lines(cycle)
    assert partial and partial < expected
    assert GenerationChunk.objects.filter(cycle=cycle, status="done").count() == 1

    rerun = generate(cycle, officer, chunk_size=3)
    assert rerun.status == Job.Status.DONE, rerun.error
    assert _lines(cycle) == expected
    assert PaymentLine.objects.filter(cycle=cycle).count() == len(expected)  # no duplicates
    assert not GenerationChunk.objects.filter(cycle=cycle).exclude(status="done").exists()
    assert GenerationChunk.objects.get(cycle=cycle, lo=chunks[0].lo).attempts == 1  # not redone


def test_job_progress_counts_chunks(roll, officer, generate):
    _regular_roll(roll)
    cycle = cycle_open(acting_user=officer, month=MAR)
    job = generate(cycle, officer, chunk_size=4)
    chunks = GenerationChunk.objects.filter(cycle=cycle).count()
    assert chunks >= 3
    assert (job.progress_done, job.progress_total) == (chunks + 1, chunks + 1)


def test_regeneration_removes_a_line_no_longer_due_and_updates_a_changed_amount(roll, officer, generate):
    person = roll.person()
    tekun = roll.enrol("tekun", "1200.00", person=person)
    other = roll.enrol("tekun", "1000.00", person=roll.person())
    cycle = cycle_open(acting_user=officer, month=MAR)
    generate(cycle, officer)
    person.status, person.death_date = "deceased", date(2026, 2, 10)
    person.save()
    other.monthly_amount = Decimal("1100.00")
    other.save()
    generate(cycle, officer)
    assert _lines(cycle) == {(other.pk, "regular", MAR, Decimal("1100.00"))}
    assert not PaymentLine.objects.filter(enrolment=tekun).exists()


def test_arrears_for_a_back_dated_start_only(roll, officer, approver, generate):
    known = roll.enrol("tekun", "1000.00", person=roll.person())
    for month in (JAN, FEB):
        cycle = cycle_open(acting_user=officer, month=month)
        generate(cycle, officer)
    # Decided after January's and February's payrolls, starting in January: two months of arrears in March.
    late = roll.enrol("tekun", "987.65", person=roll.person(), start=JAN)
    # Suspended in February (no line then), resumed since: known when February ran, so no automatic back pay.
    PaymentLine.objects.filter(enrolment=known, covered_month=FEB).delete()
    march = cycle_open(acting_user=officer, month=MAR)
    generate(march, officer)
    arrears = PaymentLine.objects.filter(cycle=march, kind="arrears")
    assert set(arrears.values_list("enrolment_id", "covered_month", "amount")) == {
        (late.pk, JAN, Decimal("987.65")), (late.pk, FEB, Decimal("987.65"))}
    assert sum(PaymentLine.objects.filter(cycle=march, enrolment=late).values_list("amount", flat=True)) == \
        Decimal("987.65") * 3
    line = arrears.get(covered_month=JAN)
    assert line.month == MAR and line.formula["covered_month"] == "2026-01" and line.formula["paid_in"] == "2026-03"
    # Generated again: still exactly two arrears lines.
    generate(march, officer)
    assert PaymentLine.objects.filter(cycle=march, kind="arrears").count() == 2


def test_generation_query_count_does_not_grow_with_enrolments(roll, officer, generate):
    def queries_for(count: int, month: date) -> tuple[int, int]:
        for _ in range(count):
            roll.enrol("tekun", "1000.00", person=roll.person(), start=month)
        cycle = cycle_open(acting_user=officer, month=month)
        with CaptureQueriesContext(connection) as ctx:
            job = generate(cycle, officer)
        assert job.status == Job.Status.DONE, job.error
        return len(ctx.captured_queries), PaymentLine.objects.filter(cycle=cycle).count()

    small, small_lines = queries_for(3, JAN)
    large, large_lines = queries_for(30, FEB)
    assert (small_lines, large_lines) == (3, 33)
    assert large == small
