"""卡折代管 reads, always area-scoped through `accounts.policy.restrict` (resource "custody")."""

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.policy import allowed, area_in_scope, restrict
from minzheng.dates import first_of_month
from payments.models import BankCardCustody, CustodyCheck


def custodies_visible(user) -> QuerySet[BankCardCustody]:
    """The custody arrangements of the user's area (the agreement's bytes deferred: lists never load them)."""
    return restrict(BankCardCustody.objects.defer("agreement_file"), user, "view", resource="custody",
                    area_field="area_id")


def with_month_checked(rows: QuerySet[BankCardCustody], month: date | None = None) -> QuerySet[BankCardCustody]:
    """Annotate `month_checked`: has the month (default this month) a recorded check (not merely 待核对)?"""
    month = first_of_month(month or timezone.localdate())
    done = CustodyCheck.objects.filter(custody_id=OuterRef("pk"), month=month).exclude(
        result=CustodyCheck.Result.PENDING)
    return rows.annotate(month_checked=Exists(done))


def unchecked_in_month(rows: QuerySet[BankCardCustody], month: date | None = None) -> QuerySet[BankCardCustody]:
    """本月未核对: active custodies without a recorded check of the month."""
    return with_month_checked(rows, month).filter(status=BankCardCustody.Status.ACTIVE, month_checked=False)


def active_custody_of(user, person) -> BankCardCustody | None:
    return custodies_visible(user).filter(person=person, status=BankCardCustody.Status.ACTIVE).first()


def persons_in_custody(user, person_ids) -> set[int]:
    """Of these payees, those whose card or passbook is in custody now (one query, for a page of lines)."""
    if not person_ids or not allowed(user, "custody", "view"):
        return set()
    return set(BankCardCustody.objects.filter(person_id__in=list(person_ids), status=BankCardCustody.Status.ACTIVE)
               .values_list("person_id", flat=True))


def checks_of(custody: BankCardCustody, limit: int = 24) -> list[CustodyCheck]:
    return list(custody.checks.select_related("checked_by").order_by("-month")[:limit])


def custody_context(user, person) -> dict:
    """What a person's bank-account block shows of 卡折代管: the active custody and whether one may be registered."""
    if not allowed(user, "custody", "view"):
        return {"custody_visible": False}
    return {"custody_visible": True, "custody": active_custody_of(user, person),
            "can_custody_add": allowed(user, "custody", "add") and area_in_scope(user, person.area_id)}
