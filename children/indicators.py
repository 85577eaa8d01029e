"""Indicators of child welfare (儿童福利指标), registered with the indicators kernel.

镇（街道）未成年人保护工作站覆盖率 (seed 003 三(三), target 100 %): towns with a station open at the month's end ÷
towns — one row per town from `children.network.town_coverage`, summed up to the district."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from children.network import stations_open, town_coverage
from indicators.registry import Measure, register_indicator
from minzheng.dates import month_end

HUNDRED = 100


@register_indicator("minor_protection_station_coverage")
def minor_protection_station_coverage(month: date) -> Measure:
    on = min(month_end(month), timezone.localdate())
    rows = [(town.code, Decimal(1 if town.station else 0), Decimal(1)) for town in town_coverage("", on)]
    return Measure(rows=rows, records=stations_open(on), scale=HUNDRED, resource="child_network")
