"""居家和社区养老服务 writes: order a priced service item for an older person, record its delivery; and the
counts against the year's targets by town (set-based)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr

from accounts.policy import allowed, area_in_scope
from audit.models import ChangeLog
from audit.services import change_log_write, snapshot
from eldercare.models import ServiceDelivery, ServiceItem, ServiceOrder, ServiceTarget
from minzheng.lookups import prefix_q
from registry.models import Person

TOWN_LENGTH = 9


def _require(user, action: str, area_code: str) -> None:
    if not allowed(user, "service_order", action) or not area_in_scope(user, area_code):
        raise PermissionDenied("无此操作权限")


@transaction.atomic
def service_order_create(*, acting_user, person: Person, item: ServiceItem, on: date,
                         quantity: int = 1) -> ServiceOrder:
    """下单: the fee is the item's price × quantity."""
    _require(acting_user, "add", person.area_id)
    if quantity < 1:
        raise ValidationError({"quantity": ["数量至少为1"]})
    if not item.provider.active:
        raise ValidationError({"item": ["该服务机构已停业"]})
    order = ServiceOrder.objects.create(person=person, area_id=person.area_id, provider=item.provider, item=item,
                                        quantity=quantity, fee=item.price * quantity, ordered_on=on)
    change_log_write(instance=order, action=ChangeLog.Action.CREATE, before=None, after=snapshot(order),
                     acting_user=acting_user)
    return order


@transaction.atomic
def service_delivery_record(*, acting_user, order: ServiceOrder, worker: str, started_at: datetime,
                            minutes: int, note: str = "") -> ServiceDelivery:
    """服务记录: who served, when, how long; the order is then delivered."""
    _require(acting_user, "add", order.area_id)
    order = ServiceOrder.objects.select_for_update().get(pk=order.pk)
    if order.status == ServiceOrder.Status.CANCELLED:
        raise ValidationError({"order": ["订单已取消"]})
    if not worker.strip() or minutes <= 0:
        raise ValidationError({"worker": ["请填写服务人员和服务时长"]})
    delivery = ServiceDelivery.objects.create(order=order, area_id=order.area_id, worker=worker.strip()[:50],
                                              started_at=started_at, minutes=minutes, note=note[:200])
    before = snapshot(order)
    order.status = ServiceOrder.Status.DELIVERED
    order.save(update_fields=["status"])
    change_log_write(instance=order, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(order),
                     acting_user=acting_user)
    return delivery


def targets_progress(*, year: int, area_prefix: str) -> list[dict]:
    """年度目标完成情况 by town and category: delivered orders of the year (one grouped query) against the
    targets. [{town, category, target, done}]"""
    done = (ServiceOrder.objects.filter(prefix_q("area_id", area_prefix), status=ServiceOrder.Status.DELIVERED,
                                        ordered_on__year=year)
            .annotate(town=Substr("area_id", 1, TOWN_LENGTH)).values("town", "item__category")
            .annotate(n=Count("id")))
    counts = {(r["town"], r["item__category"]): r["n"] for r in done}
    rows = []
    targets = ServiceTarget.objects.filter(Q(year=year), prefix_q("town_id", area_prefix[:TOWN_LENGTH]))
    for t in targets.select_related("town").order_by("town_id", "category"):
        rows.append({"town": t.town.name, "category": t.get_category_display(), "target": t.target,
                     "done": counts.get((t.town_id[:TOWN_LENGTH], t.category), 0)})
    return rows
