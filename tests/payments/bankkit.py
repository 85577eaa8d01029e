"""Helpers for the bank disbursement tests: an approved cycle with payees at two banks, and a return file."""

import csv
import io

from payments.models import BankAccount, PaymentCycle, PaymentException
from payments.services import cycle_approve, cycle_open, exception_accept, overpayment_register
from tests.payments.conftest import MAR

ICBC = "中国工商银行"
RCB = "重庆农村商业银行"


def approved_cycle(roll, officer, approver, generate, month=MAR) -> tuple[PaymentCycle, dict]:
    """甲 (town A, RCB, 1000 with 200 recovered), 乙 (town A, ICBC, 500), 丙 (town B, RCB, 900)."""
    jia = roll.person("甲")
    yi = roll.person("乙", bank=False)
    BankAccount.objects.create(person=yi, area_id=yi.area_id, bank_name=ICBC, account_number="6222020000000000011")
    bing = roll.person("丙", area=roll.areas["community_b"])
    enrolments = {"jia": roll.enrol("tekun", "1000.00", person=jia), "yi": roll.enrol("tekun", "500.00", person=yi),
                  "bing": roll.enrol("tekun", "900.00", person=bing)}
    overpayment_register(acting_user=officer, enrolment=enrolments["jia"], total="600.00", instalment="200.00",
                         reason="收入未如实申报")
    cycle = cycle_open(acting_user=officer, month=month)
    generate(cycle, officer)
    for exception in PaymentException.objects.filter(cycle=cycle, status="open"):
        exception_accept(acting_user=officer, exception=exception, reason="已核实")
    cycle = cycle_approve(acting_user=approver, cycle=cycle)
    return cycle, enrolments


def return_csv(rows: list[list[str]], header=("序号", "姓名", "账号", "金额", "结果", "失败原因")) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def account_fix(officer, approver, person, number: str, bank: str = "重庆农村商业银行"):
    """A payee's new account: entered by the officer, confirmed by a second person (the approver)."""
    from payments.models import BankAccountChange
    from payments.services import bank_account_change_confirm, bank_account_register

    result = bank_account_register(acting_user=officer, person=person, bank_name=bank, account_number=number,
                                   reason="原账户代发失败")
    if isinstance(result, BankAccountChange):
        return bank_account_change_confirm(acting_user=approver, change=result)
    return result
