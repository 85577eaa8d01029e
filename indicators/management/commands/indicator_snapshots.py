"""指标快照: compute and store the indicators of a month (default: last month and this month)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.context import acting
from indicators.services import snapshots_monthly, snapshots_refresh
from minzheng.dates import month_or_none


class Command(BaseCommand):
    help = "计算并保存指标快照（默认：上月与本月）；重复运行不产生重复记录"

    def add_arguments(self, parser):
        parser.add_argument("--month", help="统计月份 YYYY-MM")
        parser.add_argument("--code", action="append", help="只计算该指标（可重复）")

    def handle(self, *args, **options):
        with acting(source="job"):
            if options["month"]:
                month = month_or_none(options["month"])
                if month is None:
                    raise CommandError("--month 应为 YYYY-MM")
                result = snapshots_refresh(month=month, codes=options["code"])
            else:
                result = snapshots_monthly(today=timezone.localdate())
        self.stdout.write(f"写入 {result['written']} 条，未变化 {result['unchanged']} 条")
