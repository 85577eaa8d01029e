"""Each check flags the lines it should and not the others; fixed → re-check resolves; accepted stays accepted."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from areas.models import Area
from payments.models import BankAccount, PaymentCycle, PaymentException, PaymentLine
from payments.services import bank_account_register, cycle_check, cycle_open, exception_accept
from programs.models import Enrolment
from tests.payments.conftest import FEB, MAR

Kind = PaymentException.Kind


def _flagged(cycle, kind) -> set[int]:
    """Enrolment ids of the lines with an open exception of `kind`."""
    return set(PaymentException.objects.filter(cycle=cycle, kind=kind, status="open")
               .values_list("line__enrolment_id", flat=True))


@pytest.fixture
def march(officer):
    return cycle_open(acting_user=officer, month=MAR)


def test_paid_after_death_flags_a_dead_payee_of_a_household_programme(roll, officer, march, generate):
    applicant = roll.person(status="deceased", death_date=date(2026, 2, 10))
    spouse = roll.person()
    household, _ = roll.household(people=[applicant, spouse])
    dead_payee = roll.enrol("dibao", "500.00", household=household, person=applicant)
    died_in_march = roll.enrol("dibao", "500.00", household=roll.household(people=[
        roll.person(status="deceased", death_date=date(2026, 3, 2)), roll.person()])[0])
    roll.enrol("tekun", "900.00", person=roll.person())
    generate(march, officer)
    assert _flagged(march, Kind.PAID_AFTER_DEATH) == {dead_payee.pk}
    detail = PaymentException.objects.get(cycle=march, kind=Kind.PAID_AFTER_DEATH).detail
    assert "2026-02-10" in detail and "2026-03" in detail
    assert died_in_march.pk not in _flagged(march, Kind.PAID_AFTER_DEATH)


def test_mutually_exclusive_flags_both_lines_of_the_same_person(roll, officer, march, generate):
    member = roll.person()
    household, _ = roll.household(people=[roll.person(), member])
    dibao = roll.enrol("dibao", "500.00", household=household)
    tekun = roll.enrol("tekun", "1000.00", person=member)
    roll.enrol("dibao", "500.00", household=roll.household(2)[0])
    roll.enrol("tekun", "1000.00", person=roll.person())
    generate(march, officer)
    assert _flagged(march, Kind.MUTUALLY_EXCLUSIVE) == {dibao.pk, tekun.pk}
    assert "特困" in PaymentException.objects.get(cycle=march, line__enrolment=dibao).detail


def test_mutually_exclusive_two_person_lines_or_two_household_lines_then_fixed(roll, officer, march, generate):
    person = roll.person()
    tekun = roll.enrol("tekun", "1000.00", person=person)
    edge = roll.enrol("dibao_bianyuan", "10.00", person=person)
    household, _ = roll.household(2)
    dibao = roll.enrol("dibao", "500.00", household=household)
    rigid = roll.enrol("gangxing_zhichu", "10.00", household=household)
    roll.enrol("tekun", "1000.00", person=roll.person())
    roll.enrol("dibao", "500.00", household=roll.household(2)[0])
    generate(march, officer)
    assert _flagged(march, Kind.MUTUALLY_EXCLUSIVE) == {tekun.pk, edge.pk, dibao.pk, rigid.pk}

    Enrolment.objects.filter(pk__in=[edge.pk, rigid.pk]).update(status="suspended")
    generate(march, officer)
    assert _flagged(march, Kind.MUTUALLY_EXCLUSIVE) == set()
    assert PaymentException.objects.filter(cycle=march, kind=Kind.MUTUALLY_EXCLUSIVE, status="resolved").count() == 4


def test_above_standard_uses_the_programme_ceiling(roll, officer, march, generate):
    # 2026 standards (渝民规〔2025〕6号): urban 770, rural 630 per person; 特困 1001 + 全护理 500.
    over_urban = roll.enrol("dibao", "1540.01", household=roll.household(2)[0])
    at_urban = roll.enrol("dibao", "1540.00", household=roll.household(2)[0])
    over_rural = roll.enrol("dibao", "630.01", household=roll.household(1, hukou="rural")[0])
    at_rural = roll.enrol("dibao", "630.00", household=roll.household(1, hukou="rural")[0])
    dead_member = roll.person(status="deceased", death_date=date(2026, 1, 5))
    counted_living = roll.enrol("dibao", "1000.00", household=roll.household(people=[roll.person(), dead_member])[0])
    over_tekun = roll.enrol("tekun", "1501.01", person=roll.person())
    at_tekun = roll.enrol("tekun", "1501.00", person=roll.person())
    recognition = roll.enrol("dibao_bianyuan", "10.00", household=roll.household(1)[0])
    roll.enrol("linshi", "5000.00", household=roll.household(1)[0], status="ended", start=MAR, end=MAR)
    generate(march, officer)
    assert _flagged(march, Kind.ABOVE_STANDARD) == {over_urban.pk, over_rural.pk, counted_living.pk, over_tekun.pk,
                                                    recognition.pk}
    assert {at_urban.pk, at_rural.pk, at_tekun.pk}.isdisjoint(_flagged(march, Kind.ABOVE_STANDARD))
    assert "1540.00" in PaymentException.objects.get(cycle=march, line__enrolment=over_urban).detail


def test_bank_account_missing_invalid_or_malformed_then_fixed(roll, officer, march, generate):
    missing = roll.enrol("tekun", "900.00", person=roll.person(bank=False))
    expired_person = roll.person()
    BankAccount.objects.filter(person=expired_person).update(valid=False)
    expired = roll.enrol("tekun", "900.00", person=expired_person)
    bad_person = roll.person(bank=False)
    BankAccount.objects.create(person=bad_person, area_id=bad_person.area_id, bank_name="某银行",
                               account_number="6221AB0000001")
    malformed = roll.enrol("tekun", "900.00", person=bad_person)
    fine = roll.enrol("tekun", "900.00", person=roll.person())
    generate(march, officer)
    assert _flagged(march, Kind.BANK_ACCOUNT_MISSING) == {missing.pk, expired.pk, malformed.pk}
    assert fine.pk not in _flagged(march, Kind.BANK_ACCOUNT_MISSING)

    bank_account_register(acting_user=officer, person=missing.person, bank_name="中国银行",
                          account_number="6216610000000001")
    assert cycle_check(acting_user=officer, cycle=march) == 2
    assert _flagged(march, Kind.BANK_ACCOUNT_MISSING) == {expired.pk, malformed.pk}
    fixed = PaymentException.objects.get(cycle=march, line__enrolment=missing)
    assert fixed.status == "resolved" and fixed.resolved_by == officer
    assert PaymentLine.objects.get(cycle=march, enrolment=missing).account_number == "6216610000000001"
    # Broken again (the account is closed): the same exception opens again.
    BankAccount.objects.filter(person=missing.person).update(valid=False)
    assert cycle_check(acting_user=officer, cycle=march) == 3
    fixed.refresh_from_db()
    assert fixed.status == "open" and fixed.resolved_by is None


def test_not_in_registry_or_outside_district(roll, officer, march, generate):
    outside = Area.objects.create(code="500107001001", name="外区社区", level="community")
    moved = roll.enrol("tekun", "900.00", person=roll.person(status="moved_out"))
    elsewhere_person = roll.person()
    elsewhere = roll.enrol("tekun", "900.00", person=elsewhere_person)
    elsewhere_person.area = outside
    elsewhere_person.save()
    here = roll.enrol("tekun", "900.00", person=roll.person(area=roll.areas["community_b"]))
    generate(march, officer)
    assert _flagged(march, Kind.NOT_IN_REGISTRY) == {moved.pk, elsewhere.pk}
    assert here.pk not in _flagged(march, Kind.NOT_IN_REGISTRY)
    assert "不在本区" in PaymentException.objects.get(cycle=march, line__enrolment=elsewhere).detail


def test_large_change_against_last_month(roll, officer, approver, generate):
    jumps = roll.enrol("tekun", "500.00", person=roll.person(), start=FEB)
    steady = roll.enrol("tekun", "500.00", person=roll.person(), start=FEB)
    drops = roll.enrol("tekun", "500.00", person=roll.person(), start=FEB)
    feb = cycle_open(acting_user=officer, month=FEB)
    generate(feb, officer)
    for enrolment, amount in ((jumps, "700.00"), (steady, "600.00"), (drops, "340.00")):
        enrolment.monthly_amount = Decimal(amount)
        enrolment.save()
    march = cycle_open(acting_user=officer, month=MAR)
    generate(march, officer)
    assert _flagged(march, Kind.LARGE_CHANGE) == {jumps.pk, drops.pk}
    assert "30%" in PaymentException.objects.get(cycle=march, line__enrolment=jumps).detail


def test_checks_are_idempotent_and_accepted_stays_accepted(roll, officer, march, generate):
    enrolment = roll.enrol("tekun", "900.00", person=roll.person(bank=False))
    generate(march, officer)
    exception = PaymentException.objects.get(cycle=march)
    with pytest.raises(ValidationError):
        exception_accept(acting_user=officer, exception=exception, reason="  ")
    exception_accept(acting_user=officer, exception=exception, reason="已电话核实，本月改为现金发放")
    generate(march, officer)
    cycle_check(acting_user=officer, cycle=march)
    assert PaymentException.objects.filter(cycle=march).count() == 1
    exception.refresh_from_db()
    assert exception.status == "accepted" and exception.line.enrolment_id == enrolment.pk
    assert PaymentCycle.objects.get(pk=march.pk).status == "generated"
