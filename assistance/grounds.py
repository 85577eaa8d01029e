"""Grounds for reduction or exit (减发、停发的事由) recorded by the town: refusal of suitable work without a proper
reason by a member able to work (《最低生活保障审核确认办法》动态管理: three refusals → that member's share is
reduced or stopped). The quote reads `members_refusing_work` and pays the household without those members' shares.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count

from accounts.policy import allowed, area_in_scope
from assistance.models import WorkRefusal
from audit.models import ChangeLog
from audit.services import change_log_write, snapshot
from casework import clock
from minzheng.dates import add_months, first_of_month, month_end
from registry.facts import facts_on
from registry.models import LabourCapacity, Person, PersonFact


@transaction.atomic
def work_refusal_record(*, acting_user, person: Person, refused_on: date, job: str, reason_given: str = "",
                        justified: bool = False) -> WorkRefusal:
    """登记拒绝就业: the job introduced, the member's reason and whether the town found it proper. Only a member
    not recorded as unable to work (劳动能力) can refuse work in this sense."""
    if not allowed(acting_user, "enrolment", "change"):
        raise PermissionDenied("无此操作权限")
    if not area_in_scope(acting_user, person.area_id):
        raise PermissionDenied("该人员不在您的管辖范围内")
    if refused_on > clock.today():
        raise ValidationError({"refused_on": ["拒绝日期不能晚于今天"]})
    if not (job or "").strip():
        raise ValidationError({"job": ["请填写介绍的工作岗位"]})
    capacity = facts_on([person.pk], PersonFact.Kind.LABOUR, refused_on).get(person.pk)
    if capacity is not None and capacity.value != LabourCapacity.ABLE:
        raise ValidationError({"person": [f"{person.name}登记为{capacity.value_label}，不适用拒绝就业的规定"]})
    record = WorkRefusal.objects.create(person=person, area_id=person.area_id, refused_on=refused_on,
                                        job=job.strip()[:200], reason_given=(reason_given or "").strip()[:200],
                                        justified=bool(justified), recorded_by=acting_user)
    change_log_write(instance=record, action=ChangeLog.Action.CREATE, before=None, after=snapshot(record),
                     acting_user=acting_user)
    return record


def refusals_exist(person_ids: list[int], month: date) -> bool:
    """Any refusal without a proper reason by these members up to the end of `month` (one indexed query)."""
    return WorkRefusal.objects.filter(person_id__in=person_ids, justified=False,
                                      refused_on__lte=month_end(month)).exists()


def members_refusing_work(person_ids: list[int], month: date, *, limit: int, window_months: int) -> set[int]:
    """Members with at least `limit` refusals without a proper reason in the `window_months` months ending with
    `month`, and able to work at its end (or with no 劳动能力 recorded). One query each."""
    end = month_end(month)
    start = add_months(first_of_month(month), 1 - window_months)
    counts = (WorkRefusal.objects.filter(person_id__in=person_ids, justified=False, refused_on__range=(start, end))
              .values("person_id").annotate(n=Count("id")).filter(n__gte=limit))
    reached = {row["person_id"] for row in counts}
    if not reached:
        return set()
    unable = {pid for pid, fact in facts_on(reached, PersonFact.Kind.LABOUR, end).items()
              if fact.value != LabourCapacity.ABLE}
    return reached - unable
