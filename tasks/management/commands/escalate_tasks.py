"""超期升级 (escalate overdue tasks) — run from cron, e.g. every 15 minutes:

    */15 * * * * cd /srv/minzheng && .venv/bin/python manage.py escalate_tasks >> /var/log/minzheng/escalate.log 2>&1

Idempotent: an escalated task gets a new deadline in the future, so a second run at the same time moves nothing.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from audit.context import acting
from tasks.services import tasks_escalate_overdue


class Command(BaseCommand):
    help = ("超期任务升级一级督办（村社区→镇街→区）。建议由 cron 每15分钟运行一次："
            "*/15 * * * * cd /srv/minzheng && .venv/bin/python manage.py escalate_tasks")

    def handle(self, *args, **options) -> None:
        with acting(source="job"):
            moved = tasks_escalate_overdue(now=timezone.now())
        self.stdout.write(f"已升级 {moved} 个超期任务")
