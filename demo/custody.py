"""The 卡折代管 demo: a few payees of the community worker's community whose card or passbook is kept by the
community committee, a care institution or a guardian, each under a (demo) signed agreement, with the monthly
checks of the past months recorded — one that found a problem — and last month's check missing for some, so the
monthly job's tasks show in the work queue. All through the custody services, as the community worker.

Idempotent: a second run finds the demo custodies and adds nothing."""

import time
from dataclasses import dataclass
from datetime import date, timedelta

from accounts.models import User
from minzheng.dates import add_months, first_of_month
from minzheng.lookups import prefix_q
from payments.custody.services import Agreement, custody_check_record, custody_check_tasks_create, custody_start
from payments.models import BankAccount, BankCardCustody
from programs.models import Enrolment
from registry.models import Person

COUNT = 5
# A one-page PDF standing for the signed agreement's scan (the demo has no real paper).
AGREEMENT_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
                 b"trailer<</Root 1 0 R>>\n%%EOF\n")
KINDS = [("committee", None, "dementia"), ("institution", "沙坪坝区社会福利院（演示）", "in_care"),
         ("guardian", None, "severe_disability"), ("committee", None, "in_care"), ("guardian", None, "minor")]


@dataclass
class CustodySummary:
    custodies: int = 0
    checks: int = 0
    tasks: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        if not self.custodies:
            return "卡折代管演示数据：已存在或缺少演示账号、发放对象，未生成"
        return (f"卡折代管演示数据：代管 {self.custodies} 户，月度核对 {self.checks} 次，"
                f"上月未核对提醒任务 {self.tasks} 个，用时 {self.seconds:.1f} 秒")


def _payees(area_prefix: str) -> list[Person]:
    paid = (Enrolment.objects.filter(prefix_q("area_id", area_prefix), person_id__isnull=False, status="active")
            .values("person_id"))
    accounts = BankAccount.objects.filter(valid=True).values("person_id")
    return list(Person.objects.filter(pk__in=paid, status=Person.Status.ACTIVE).filter(pk__in=accounts)
                .select_related("area").order_by("pk")[:COUNT])


def _actor() -> tuple[User | None, list[Person]]:
    """The community worker when their community has payees enough, else the first town officer (a small demo
    roll may have few payees in one community)."""
    worker = User.objects.filter(username="community_worker").select_related("area").first()
    if worker is not None and len(payees := _payees(worker.area.scope_prefix)) >= 3:
        return worker, payees
    officer = User.objects.filter(username__startswith="town_officer_").select_related("area").order_by(
        "username").first()
    return (officer, _payees(officer.area.scope_prefix)) if officer is not None else (None, [])


def _guardian(person: Person, taken: set[int]) -> Person | None:
    return (Person.objects.filter(area_id=person.area_id, status=Person.Status.ACTIVE).exclude(pk__in=taken)
            .exclude(pk=person.pk).order_by("-pk").first())


def demo_custody_load(*, today: date) -> CustodySummary:
    summary, started = CustodySummary(), time.monotonic()
    if BankCardCustody.objects.exists():
        return summary
    worker, payees = _actor()
    if worker is None:
        return summary
    taken = {p.pk for p in payees}
    this_month = first_of_month(today)
    start_month = add_months(this_month, -4)
    for index, (person, (kind, name, reason)) in enumerate(zip(payees, KINDS, strict=False)):
        guardian = _guardian(person, taken) if kind == "guardian" else None
        custodian = (guardian.name if guardian else name) or f"{person.area.name}居民委员会"
        custody = custody_start(
            acting_user=worker, person=person, custodian_kind=kind, custodian_name=custodian,
            custodian_person=guardian, reason=reason, start_date=start_month + timedelta(days=index),
            agreement=Agreement(number=f"{worker.area.name[:4]}代管〔{start_month.year}〕{index + 1}号",
                                signed_on=start_month - timedelta(days=5), filename="卡折代管协议.pdf",
                                content=AGREEMENT_PDF))
        summary.custodies += 1
        # Past months checked; the last month left open for every other custody (the job makes their tasks).
        last = -1 if index % 2 == 0 else 0
        month = start_month
        while month < add_months(this_month, last):
            issue = index == 1 and month == add_months(start_month, 1)
            note = "一笔500元取现无凭证，已要求代管人补充说明并退回" if issue else "核对取款记录与购物票据，用于本人"
            custody_check_record(acting_user=worker, custody=custody, month=month,
                                 result="issue" if issue else "proper", custodian_signed=not issue, note=note)
            summary.checks += 1
            month = add_months(month, 1)
    summary.tasks = custody_check_tasks_create(today=today)
    summary.seconds = time.monotonic() - started
    return summary
