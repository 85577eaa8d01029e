"""Periodic work run by the platform (Celery beat; the schedule is settings.CELERY_BEAT_SCHEDULE).

Each task is thin and idempotent: it calls the service that already does the work (the same one the management
command or page calls), under the audit source "job", and returns what the service reported. Running a task
twice at the same moment changes nothing the second time — the services are written that way (escalated tasks
get a future deadline, enrolled persons stop being candidates, a scheduled re-check is skipped, a month has
one payment cycle) — so a beat restart or a task redelivered by the broker does no harm.

Re-rating (重新核定) will be added here as its service lands: a task per
service, then an entry in CELERY_BEAT_SCHEDULE; tests/jobs/test_periodic.py checks every entry names a task.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from audit.context import acting

logger = logging.getLogger(__name__)


@shared_task(name="periodic.escalate_tasks")
def escalate_tasks() -> int:
    """超期升级: overdue tasks move one level up (tasks.services.tasks_escalate_overdue)."""
    from tasks.services import tasks_escalate_overdue

    with acting(source="job"):
        return tasks_escalate_overdue(now=timezone.now())


@shared_task(name="periodic.schedule_rechecks")
def schedule_rechecks() -> int:
    """定期核查: every active enrolment of a recurring programme has its next re-check due, so re-checks fall due
    in the work queue on time, also for enrolments confirmed through the API or an import."""
    from assistance.rechecks import rechecks_schedule_missing

    with acting(source="job"):
        return rechecks_schedule_missing()


@shared_task(name="periodic.auto_enrol_old_age")
def auto_enrol_old_age() -> dict:
    """免申即享：高龄津贴 (monitoring.services.auto_enrol_old_age)."""
    from monitoring.services import auto_enrol_old_age as enrol

    with acting(source="job"):
        return enrol(today=timezone.localdate())


@shared_task(name="periodic.disability_coverage_check")
def disability_coverage_check() -> dict:
    """残疾人两项补贴全覆盖核查, monthly (disability.services.coverage_check_run)."""
    from disability.services import coverage_check_run

    with acting(source="job"):
        return coverage_check_run(month=timezone.localdate().replace(day=1))


@shared_task(name="periodic.reassessment_tasks")
def reassessment_tasks() -> int:
    """到期能力复评: one Task per assessment whose routine re-assessment is due (eldercare.services)."""
    from eldercare.services import reassessment_tasks_create

    with acting(source="job"):
        return reassessment_tasks_create(today=timezone.localdate())


@shared_task(name="periodic.open_payment_cycle")
def open_payment_cycle() -> str:
    """建立本月发放批次 in the name of settings.MINZHENG_PAYROLL_OPENER (a district officer: the cycle's maker, so
    maker-checker still holds and the permission is checked as for the page). Without that setting, or when this
    month's cycle exists, nothing happens. Generating and approving stay with people."""
    from accounts.models import User
    from payments.generation import default_district_code
    from payments.models import PaymentCycle
    from payments.services import cycle_open

    username = settings.MINZHENG_PAYROLL_OPENER
    if not username:
        return "not configured"
    month = timezone.localdate().replace(day=1)
    if PaymentCycle.objects.filter(district_id=default_district_code(), month=month).exists():
        return "exists"
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        logger.error("MINZHENG_PAYROLL_OPENER %r is not an active user: the payment cycle was not opened", username)
        return "opener missing"
    with acting(user=user, source="job"):
        cycle_open(acting_user=user, month=month)
    return "opened"


@shared_task(name="periodic.children_age_out")
def children_age_out() -> str:
    """自然退出: the children's allowances of those who turned 18 before this month end before its payroll
    (children.services.children_age_out), in the name of settings.MINZHENG_PAYROLL_OPENER; without it nothing
    happens. Daily, so a server down on the 1st still ends them before the payroll is generated."""
    from accounts.models import User
    from children.services import children_age_out as age_out

    username = settings.MINZHENG_PAYROLL_OPENER
    user = User.objects.filter(username=username, is_active=True).first() if username else None
    if user is None:
        return "not configured"
    with acting(user=user, source="job"):
        return f"ended {len(age_out(acting_user=user, month=timezone.localdate().replace(day=1)))}"


@shared_task(name="periodic.indicator_snapshots")
def indicator_snapshots() -> dict:
    """指标快照: last month (complete) and this month so far (indicators.services.snapshots_monthly)."""
    from indicators.services import snapshots_monthly

    with acting(source="job"):
        return snapshots_monthly(today=timezone.localdate())


@shared_task(name="periodic.refresh_care_roster")
def refresh_care_roster() -> dict:
    """探访关爱名册比对 (carevisits.roster.roster_refresh): set-based, a re-run changes nothing."""
    from carevisits.roster import roster_refresh

    with acting(source="job"):
        result = roster_refresh(today=timezone.localdate())
    return {"added": result.added, "on_roster": result.on_roster}


@shared_task(name="periodic.detect_meter_alarms")
def detect_meter_alarms() -> dict:
    """智能水表告警检测 (carevisits.detection.meters_detect): a re-run raises no second alert or task."""
    from carevisits.detection import meters_detect

    with acting(source="job"):
        result = meters_detect(now=timezone.now())
    return {"raised": result.raised, "resolved": result.resolved, "tasks": result.tasks}


@shared_task(name="periodic.custody_check_tasks")
def custody_check_tasks() -> int:
    """卡折代管月度核对: a task for every custody whose check of last month is missing
    (payments.custody.services.custody_check_tasks_create; daily, so a server down on the 1st still makes them)."""
    from payments.custody.services import custody_check_tasks_create

    with acting(source="job"):
        return custody_check_tasks_create(today=timezone.localdate())


@shared_task(name="periodic.partitions_ahead")
def partitions_ahead() -> dict:
    """分区预建: this month's and the next months' partitions of the append-only tables (minzheng.partitions)."""
    from minzheng.partitions import partitions_ensure

    return partitions_ensure(today=timezone.localdate())


@shared_task(name="periodic.sweep_orphan_files")
def sweep_orphan_files() -> dict:
    """清理无主文件: stored files no row names, older than the grace period (minzheng.orphan_files)."""
    from minzheng.orphan_files import orphan_files_sweep

    with acting(source="job"):
        return orphan_files_sweep().counts()
