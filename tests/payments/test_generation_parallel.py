"""并行分块: the chunks run in parallel workers (PostgreSQL, outside a transaction) write exactly the lines of the
serial run — every column, formula and bank snapshot included — and a re-run adds nothing."""

from datetime import date

import pytest

from minzheng import sql as dialect
from payments.generation import chunk_workers, cycle_generate_now
from payments.models import GenerationChunk, PaymentCycle, PaymentException, PaymentLine
from payments.services import cycle_open
from tests.payments.conftest import FEB, MAR

# Committed transactions: each worker has a connection of its own, which sees only committed rows.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

COLUMNS = ("enrolment_id", "program_id", "person_id", "household_id", "area_id", "month", "covered_month", "kind",
           "amount", "overpayment_id", "bank_account_id", "bank_name", "account_number", "status", "reason")


def _lines(cycle) -> list[tuple]:
    rows = PaymentLine.objects.filter(cycle=cycle).values_list(*COLUMNS, "formula")
    return sorted((*row[:-1], sorted(row[-1].items())) for row in rows)


def _clear(cycle) -> None:
    PaymentException.objects.filter(cycle=cycle).delete()
    PaymentLine.objects.filter(cycle=cycle).delete()
    GenerationChunk.objects.filter(cycle=cycle).delete()
    PaymentCycle.objects.filter(pk=cycle.pk).update(status=PaymentCycle.Status.OPEN)


def _roll(roll) -> None:
    for n in range(12):
        household, _ = roll.household(1 + n % 3)
        roll.enrol("dibao", f"{500 + n}.00", household=household)
        roll.enrol("tekun", f"{1000 + 10 * n}.00", person=roll.person(bank=n % 4 != 0))
    roll.enrol("tekun", "900.00", person=roll.person(status="deceased", death_date=date(2026, 2, 3)))
    roll.enrol("tekun", "800.00", person=roll.person(), status="ended", end=FEB)


def test_parallel_chunks_write_exactly_the_serial_lines(roll, officer):
    _roll(roll)
    cycle = cycle_open(acting_user=officer, month=MAR)
    cycle = PaymentCycle.objects.select_related("district").get(pk=cycle.pk)

    serial = cycle_generate_now(cycle, acting_user=officer, size=3, workers=1)
    assert serial["timings"]["chunk_workers"] == 1
    serial_lines = _lines(cycle)
    assert len(serial_lines) == 12 + 12  # the deceased and the ended enrolment are not paid in March
    _clear(cycle)

    parallel = cycle_generate_now(cycle, acting_user=officer, size=3, workers=2)
    # Parallel only where each worker can have its own connection and commit: PostgreSQL.
    assert parallel["timings"]["chunk_workers"] == (2 if dialect.is_postgres() else 1)
    assert parallel["chunks"] == serial["chunks"] >= 8
    assert parallel["inserted"] == serial["inserted"] == len(serial_lines)
    assert _lines(cycle) == serial_lines
    assert not GenerationChunk.objects.filter(cycle=cycle).exclude(status="done").exists()

    # Idempotent: a new plan over the same cycle (a regeneration) in parallel adds and removes nothing.
    again = cycle_generate_now(cycle, acting_user=officer, size=3, workers=2)
    assert again["inserted"] == 0
    assert _lines(cycle) == serial_lines


def test_workers_only_outside_a_transaction_on_postgresql(db):
    from django.db import transaction

    outside = chunk_workers(10, 2)
    assert outside == (2 if dialect.is_postgres() else 1)
    assert chunk_workers(1, 2) == 1  # one chunk: nothing to share
    with transaction.atomic():
        assert chunk_workers(10, 2) == 1  # a worker could not see the caller's uncommitted rows
