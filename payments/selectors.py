"""Payment reads (查询), always area-scoped: cycles, their lines and exceptions, a person's payments."""

from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum

from accounts.policy import allowed, restrict, scope_prefix
from areas.models import Area
from minzheng.lookups import prefix_q
from payments.models import (
    BankFile,
    BankPayment,
    BankReturn,
    OrganisationPayee,
    PaymentCycle,
    PaymentException,
    PaymentLine,
)
from programs.models import Program
from registry.models import Person


def cycles_visible(user) -> QuerySet[PaymentCycle]:
    """Cycles of the districts the user works in or above: a town officer sees the cycle (and, through
    `lines_visible`, only their town's lines)."""
    prefix = scope_prefix(user)
    if prefix is None or not allowed(user, "payment", "view"):
        return PaymentCycle.objects.none()
    # The user's area is inside the district (their prefix starts with the district's 6 digits), or the user's
    # scope is wider than the district.
    return PaymentCycle.objects.filter(prefix_q("district_id", prefix[:6]))


def lines_visible(user, cycle: PaymentCycle | None = None) -> QuerySet[PaymentLine]:
    rows = PaymentLine.objects.all() if cycle is None else PaymentLine.objects.filter(cycle=cycle)
    return restrict(rows, user, "view", resource="payment", area_field="area_id")


def exceptions_visible(user, cycle: PaymentCycle | None = None) -> QuerySet[PaymentException]:
    rows = PaymentException.objects.all() if cycle is None else PaymentException.objects.filter(cycle=cycle)
    return restrict(rows, user, "view", resource="payment", area_field="area_id")


def payments_of_person(*, user, person) -> list[PaymentLine]:
    """发放记录: every payment line of the person as payee, from every programme, newest month first."""
    return list(lines_visible(user).filter(person=person).select_related("program", "cycle")
                .order_by("-covered_month", "-id"))


def exception_counts(cycle: PaymentCycle) -> dict[str, int]:
    counts = cycle.exceptions.aggregate(total=Count("id"), open=Count("id", filter=Q(status="open")))
    return {"open": counts["open"], "total": counts["total"]}


def bank_files_visible(user) -> QuerySet[BankFile]:
    """Bank files (代发文件) of the cycles the user sees, for those who may export them: the files hold the whole
    district's payees, so the user's scope must cover the district (a town officer sees none)."""
    if not allowed(user, "payment", "export"):
        return BankFile.objects.none()
    prefix = scope_prefix(user) or ""
    return BankFile.objects.filter(cycle__in=cycles_visible(user)).filter(
        cycle__district__code__startswith=prefix)


def bank_returns_visible(user) -> QuerySet[BankReturn]:
    """Bank returns (回盘) of the cycles the user sees, for those who may run payments at district level."""
    if not allowed(user, "payment", "run"):
        return BankReturn.objects.none()
    prefix = scope_prefix(user) or ""
    return BankReturn.objects.filter(cycle__in=cycles_visible(user), cycle__district__code__startswith=prefix)


def reissuable_count(cycle: PaymentCycle) -> int:
    """Failed payments not yet reissued whose payee now has a valid account other than the one that failed."""
    from django.db.models import Exists, OuterRef

    from payments.models import BankAccount, BankPayment

    fixed = BankAccount.objects.filter(person_id=OuterRef("person_id"), valid=True).exclude(
        account_number=OuterRef("account_number"))
    fixed_org = BankAccount.objects.filter(organisation_id=OuterRef("organisation_id"), valid=True).exclude(
        account_number=OuterRef("account_number"))
    return BankPayment.objects.filter(cycle=cycle, status=BankPayment.Status.FAILED, reissue__isnull=True).filter(
        (Q(organisation__isnull=True) & Exists(fixed)) | Exists(fixed_org)).count()


def failed_payments(cycle: PaymentCycle, *, limit: int = 50) -> list:
    """The failed payments still waiting for a reissue, with payee, for the officer to fix the accounts."""
    from payments.models import BankPayment

    return list(BankPayment.objects.filter(cycle=cycle, status=BankPayment.Status.FAILED, reissue__isnull=True)
                .select_related("person", "organisation", "program").order_by("round", "bank_name", "seq")[:limit])


def cycles_figures(user, cycles: list[PaymentCycle]) -> dict[int, dict]:
    """Each cycle's line count, total and totals by kind, and its exception counts — as the user may see them: the
    cached district figures for the district and above, their own area's sums for a town or community user (a
    town officer must not read the district's totals through the cycle). Two grouped queries for any number of
    cycles (a list page), never one per cycle."""
    prefix = scope_prefix(user) or ""
    partial = [c.pk for c in cycles if not c.district_id.startswith(prefix)] if prefix else [c.pk for c in cycles]
    sums: dict[int, dict] = {pk: {} for pk in partial}
    rows = (lines_visible(user).filter(cycle_id__in=partial).values("cycle_id", "kind")
            .annotate(count=Count("id"), amount=Sum("amount")).order_by()) if partial else []
    for r in rows:
        sums[r["cycle_id"]][r["kind"]] = {"count": r["count"], "amount": f"{Decimal(r['amount'] or 0):.2f}"}
    counts = {r["cycle_id"]: {"open": r["open"], "total": r["total"]} for r in (
        exceptions_visible(user).filter(cycle_id__in=[c.pk for c in cycles]).values("cycle_id")
        .annotate(total=Count("id"), open=Count("id", filter=Q(status="open"))).order_by())}
    figures = {}
    for cycle in cycles:
        exceptions = counts.get(cycle.pk, {"open": 0, "total": 0})
        if cycle.pk not in sums:
            figures[cycle.pk] = {"line_count": cycle.line_count, "total_amount": cycle.total_amount,
                                 "totals": cycle.totals, "exceptions": exceptions}
            continue
        totals = sums[cycle.pk]
        figures[cycle.pk] = {"line_count": sum(t["count"] for t in totals.values()),
                             "total_amount": sum((Decimal(t["amount"]) for t in totals.values()), Decimal("0.00")),
                             "totals": totals, "exceptions": exceptions}
    return figures


def bank_file_coverage(user, cycle: PaymentCycle, *, limit: int = 200) -> dict | None:
    """代发覆盖: how the cycle's total splits between the bank files and the payees left out of them, so a gap is
    never unexplained: total = in the first-round bank files + outside them. Each payee left out (an enrolment
    whose visible lines are in no bank payment) comes with the reason the export left them out — no valid bank
    account, or a net of zero or less after recoveries. None before the first export (nothing is split yet)."""
    first_round = BankPayment.objects.filter(cycle=cycle, round=1)
    if not first_round.exists():
        return None
    lines = lines_visible(user, cycle).order_by()
    in_files = restrict(first_round, user, "view", resource="payment", area_field="area_id").aggregate(
        count=Count("id"), amount=Sum("amount"))
    outside = (lines.filter(organisation__isnull=True)
               .exclude(enrolment_id__in=first_round.filter(enrolment__isnull=False).values("enrolment_id"))
               .values("enrolment_id")
               .annotate(amount=Sum("amount"), account=Max("account_number"),
                         person_id=Max("person_id"), program_id=Max("program_id"), area_id=Max("area_id"))
               .order_by("area_id", "enrolment_id"))
    rows = list(outside)
    # Lines payable to an organisation (收款单位): one row per organisation, as the bank file groups them.
    if lines.filter(organisation__isnull=False).exists():
        rows += [{**r, "enrolment_id": None, "person_id": None} for r in (
            lines.filter(organisation__isnull=False)
            .exclude(organisation_id__in=first_round.filter(organisation__isnull=False).values("organisation_id"))
            .values("organisation_id")
            .annotate(amount=Sum("amount"), account=Max("account_number"), program_id=Max("program_id"),
                      area_id=Max("area_id"))
            .order_by("area_id", "organisation_id"))]
    for row in rows:
        row["reason"] = ("扣回后净额为零或负数，无需代发" if (row["amount"] or 0) <= 0
                         else "无有效银行账户（见发放异常“银行账户缺失或无效”）")
    zero = Decimal("0.00")
    out_amount = sum((r["amount"] or zero for r in rows), zero)
    total = lines.aggregate(amount=Sum("amount"))["amount"] or zero
    return {"in_files": {"count": in_files["count"], "amount": in_files["amount"] or zero},
            "outside": {"count": len(rows), "amount": out_amount, "rows": _outside_named(rows[:limit])},
            "total": total, "balanced": (in_files["amount"] or zero) + out_amount == total}


def _outside_named(rows: list[dict]) -> list[dict]:
    persons = Person.objects.in_bulk([r["person_id"] for r in rows if r["person_id"]])
    organisations = OrganisationPayee.objects.in_bulk([r["organisation_id"] for r in rows if r.get("organisation_id")])
    programs = dict(Program.objects.filter(pk__in={r["program_id"] for r in rows}).values_list("pk", "name"))
    areas = dict(Area.objects.filter(pk__in={r["area_id"] for r in rows}).values_list("pk", "name"))
    return [{**r, "person": persons.get(r["person_id"]), "organisation": organisations.get(r.get("organisation_id")),
             "program": programs.get(r["program_id"], ""), "area": areas.get(r["area_id"], "")} for r in rows]
