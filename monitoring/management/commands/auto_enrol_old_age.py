"""免申即享：高龄津贴自动纳入 — run daily from cron, e.g.

    30 1 * * * cd /srv/minzheng && .venv/bin/python manage.py auto_enrol_old_age
"""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from audit.context import acting
from monitoring.services import auto_enrol_old_age


class Command(BaseCommand):
    help = "高龄津贴免申即享：年满80周岁、数据核查通过的本区人员自动纳入并告知（可重复运行）。建议每日由 cron 运行。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="按该日期核查（默认今天）")

    def handle(self, *args, **options) -> None:
        with acting(source="job"):
            result = auto_enrol_old_age(today=options["today"] or timezone.localdate())
        self.stdout.write(f"已自动纳入 {result['enrolled']} 人（{result['month'][:7]}）")
