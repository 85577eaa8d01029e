"""指标演示数据: the cockpit's snapshots over the demo data just loaded — the last 24 months, so the trends have a
history from the first page view. Re-running changes nothing (snapshots are upserted only where a figure changed).
"""

import time
from dataclasses import dataclass
from datetime import date

from indicators.services import snapshots_refresh
from minzheng.dates import add_months, first_of_month

MONTHS = 24


@dataclass
class IndicatorSummary:
    months: int = 0
    written: int = 0
    unchanged: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (f"指标快照：{self.months} 个月，写入 {self.written:,} 条、未变化 {self.unchanged:,} 条，"
                f"用时 {self.seconds:.1f} 秒")


def demo_indicators_load(*, today: date, months: int = MONTHS) -> IndicatorSummary:
    started = time.perf_counter()
    summary = IndicatorSummary(months=months)
    this_month = first_of_month(today)
    for offset in range(months - 1, -1, -1):
        result = snapshots_refresh(month=add_months(this_month, -offset))
        summary.written += result["written"]
        summary.unchanged += result["unchanged"]
    summary.seconds = time.perf_counter() - started
    return summary
