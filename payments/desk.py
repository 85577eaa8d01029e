"""Desk blocks of payments (资金发放): open payment exceptions for the officer, cycles awaiting the approver."""

from datetime import date

from django.db.models import Count
from django.urls import reverse

from accounts.policy import allowed
from payments.models import PaymentCycle, PaymentException
from payments.selectors import cycles_visible, exceptions_visible
from web.desk import LIST_SIZE, Block, desk_block

EXCEPTION_ROW = "payments/_desk_exception_row.html"
CYCLE_ROW = "payments/_desk_cycle_row.html"


@desk_block(50)
def payment_exceptions(user, today: date) -> Block | None:
    """待处理的发放异常 (the officer who generates cycles fixes them), by kind, with their cycle."""
    if not allowed(user, "payment", "run"):
        return None
    open_ = exceptions_visible(user).filter(status=PaymentException.Status.OPEN)
    labels = dict(PaymentException.Kind.choices)
    kinds = open_.order_by().values("kind").annotate(n=Count("id")).order_by("-n")
    rows = list(open_.select_related("cycle", "area", "line", "line__person").order_by("-cycle__month", "id")
                [:LIST_SIZE])
    block = Block("payment-exceptions", "待处理的发放异常", row_template=EXCEPTION_ROW, rows=rows,
                  empty="暂无待处理的发放异常",
                  more_url=reverse("payment-cycle-list"), more_label="查看发放批次")
    block.figures = [(labels.get(row["kind"], "其他"), row["n"], "danger") for row in kinds]
    return block


@desk_block(40)
def cycles_to_approve(user, today: date) -> Block | None:
    """待审批的发放批次."""
    if not allowed(user, "payment", "approve"):
        return None
    rows = list(cycles_visible(user).filter(status=PaymentCycle.Status.GENERATED).select_related("district")
                .order_by("month", "id")[:LIST_SIZE])
    block = Block("cycles", "待审批的发放批次", row_template=CYCLE_ROW, rows=rows, empty="暂无待审批的发放批次",
                  more_url=reverse("payment-cycle-list"), more_label="查看发放批次")
    block.figures = [("待审批", len(rows), "primary")]
    return block
