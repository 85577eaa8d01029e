"""残疾人两项补贴全覆盖核查 — run daily (Celery beat `disability-coverage-check`, or cron; each month's warnings
are made once), e.g.

    30 2 * * * cd /srv/minzheng && .venv/bin/python manage.py disability_coverage_check
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from audit.context import acting
from disability.services import coverage_check_run
from minzheng.dates import month_or_none
from programs.models import Program


class Command(BaseCommand):
    help = ("残疾人两项补贴全覆盖核查：应享未享的提醒村社区（或按本区设定免申即享自动纳入），"
            "不再符合的安排复核（可重复运行）。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", type=month_or_none, default=None, help="核查月份 YYYY-MM（默认本月）")

    def handle(self, *args, **options) -> None:
        month = options["month"] or timezone.localdate().replace(day=1)
        with acting(source="job"):
            result = coverage_check_run(month=month)
        names = dict(Program.objects.filter(code__in=result["programs"]).values_list("code", "name"))
        for code, figures in result["programs"].items():
            self.stdout.write(f"{names[code]}：自动纳入 {figures['auto_enrolled']}，提醒 {figures['warned']}，"
                              f"复核 {figures['rechecks']}")
