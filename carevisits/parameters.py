"""探访关爱的政策参数: read from `programs.PolicyParameter` (general rows, no programme), seeded by migration 0002 with
their sources. Each figure is read for the district in force today."""

from datetime import date

from django.conf import settings

from programs.selectors import parameter_at

MIN_AGE = "carevisits_min_age"  # 老年人: 60周岁以上
VERY_OLD_AGE = "carevisits_very_old_age"  # 高龄: 80周岁以上
HOME_VISITS = "carevisits_home_visits_week"  # 每周上门探访次数
PHONE_CALLS = "carevisits_phone_calls_week"  # 每周电话探访次数
FOLLOWUP_DAYS = "carevisits_followup_days"  # 探访发现需求的跟进期限（工作日）
NO_USE_HOURS = "meter_no_use_hours"  # 连续未用水告警（小时）
CONTINUOUS_HOURS = "meter_continuous_hours"  # 持续用水告警（小时）
OFFLINE_HOURS = "meter_offline_hours"  # 无读数上报视为离线（小时）
ALARM_DEADLINE_HOURS = "meter_alarm_deadline_hours"  # 用水告警处置时限（小时）
OFFLINE_DEADLINE_HOURS = "meter_offline_deadline_hours"  # 设备离线处置时限（小时）


def district_code() -> str:
    return settings.MINZHENG_DISTRICT_CODE.ljust(12, "0")


def value(key: str, on: date, area_code: str | None = None) -> int:
    """The whole-number figure in force on `on` for the area (default: the installation's district)."""
    return int(parameter_at(None, key, area_code or district_code(), on).value)
