"""水表告警检测 (meter alarm detection): set-based SQL over the bound meters, the same text on SQLite and PostgreSQL.

For each active meter bound to a person, at `now`:
- 设备离线 (offline): no reading has arrived for `meter_offline_hours` (or none at all since it was installed that
  long ago). A device warning for the community to get the meter fixed — it says nothing about the person, and
  while a meter is offline it raises no alarm about the person.
- 长时间未用水 (no use): readings keep arriving, yet the cumulative volume at the latest reading equals the volume at
  the latest reading `meter_no_use_hours` ago or earlier — nothing was used in between.
- 持续异常用水 (continuous use): over the last `meter_continuous_hours` there is a reading at least every hour and
  every reading is above the one before it — water ran without a break (a tap left open, a fall in the shower).

Each finding is an open `MeterAlert` (one per meter and kind: a partial unique index, inserted with ON CONFLICT DO
NOTHING) owning one task for the person's community, deadline in hours, escalated when overdue by the tasks
kernel. A re-run finds the same open alerts and creates nothing; an alert whose condition has ended is resolved
(its task stays with the worker to close), and a new episode later raises a new alert.

The latest readings are read through the (meter, time) primary key: two index probes per meter for "no use",
one range per meter for "continuous use" — never a scan of the readings table.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from carevisits import parameters
from carevisits.models import Meter, MeterAlert, MeterReading
from minzheng.sql import tune_transaction
from registry.models import Person
from tasks.models import Task
from tasks.services import TaskSpec, deadline_at, tasks_create_many

ALERT_SOURCE = "carevisits.meteralert"
READINGS = MeterReading._meta.db_table
METERS = Meter._meta.db_table
TASK_KIND = {MeterAlert.Kind.NO_USE: "meter_alarm", MeterAlert.Kind.CONTINUOUS: "meter_alarm",
             MeterAlert.Kind.OFFLINE: "meter_offline"}


@dataclass
class DetectionResult:
    found: dict[str, int] = field(default_factory=dict)
    raised: int = 0
    resolved: int = 0
    tasks: int = 0


def _adapt(moment: datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def _latest(column: str, bound: str) -> str:
    """The time of the meter's latest reading at or before a bound (an index probe on the primary key)."""
    return f"(SELECT MAX(r.time) FROM {READINGS} r WHERE r.meter_id = m.id AND r.time <= {bound}) AS {column}"


BOUND = f"FROM {METERS} m WHERE m.active AND m.person_id IS NOT NULL"


def offline_meters(now: datetime, hours: int) -> set[int]:
    """Bound meters with no reading for `hours` (late or silent), installed at least that long ago."""
    since = _adapt(now - timedelta(hours=hours))
    sql = (f"SELECT id FROM (SELECT m.id, m.installed_at, {_latest('last_at', '%s')} {BOUND}) x "
           "WHERE x.installed_at < %s AND (x.last_at IS NULL OR x.last_at < %s)")
    return _ids(sql, [_adapt(now), since, since])


def no_use_meters(now: datetime, hours: int, offline_hours: int) -> set[int]:
    """Bound meters still reporting whose volume has not moved for `hours`: the latest reading (time and volume)
    and the latest one `hours` earlier, each a backward probe of the primary key."""
    latest = f"FROM {READINGS} r WHERE r.meter_id = m.id AND r.time <= %s ORDER BY r.time DESC LIMIT 1"
    sql = (f"SELECT x.id FROM (SELECT m.id, (SELECT r.time {latest}) AS last_at, (SELECT r.litres {latest}) AS last_l, "
           f"(SELECT r.litres {latest}) AS base_l {BOUND}) x WHERE x.last_at >= %s AND x.last_l = x.base_l")
    return _ids(sql, [_adapt(now), _adapt(now), _adapt(now - timedelta(hours=hours)),
                      _adapt(now - timedelta(hours=offline_hours))])


def continuous_meters(now: datetime, hours: int) -> set[int]:
    """Bound meters with a reading at least hourly over the last `hours`, each above the one before."""
    window = now - timedelta(hours=hours)
    sql = (f"SELECT w.meter_id FROM (SELECT r.meter_id, r.time, r.litres, "
           "LAG(r.litres) OVER (PARTITION BY r.meter_id ORDER BY r.time) AS prev "
           f"FROM {METERS} m JOIN {READINGS} r ON r.meter_id = m.id AND r.time > %s AND r.time <= %s "
           "WHERE m.active AND m.person_id IS NOT NULL) w WHERE w.time > %s GROUP BY w.meter_id "
           "HAVING COUNT(*) >= %s AND SUM(CASE WHEN w.prev IS NULL OR w.litres <= w.prev THEN 1 ELSE 0 END) = 0")
    return _ids(sql, [_adapt(window - timedelta(hours=1)), _adapt(now), _adapt(window), hours])


def _ids(sql: str, params: list) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


@transaction.atomic
def meters_detect(*, now: datetime | None = None) -> DetectionResult:
    """水表告警检测: find, raise (with tasks), resolve. Idempotent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with connection.cursor() as cursor:
        tune_transaction(cursor)  # no JIT: these short queries are costed high enough to trigger it
    hours = {key: parameters.value(key, today) for key in (
        parameters.NO_USE_HOURS, parameters.CONTINUOUS_HOURS, parameters.OFFLINE_HOURS)}
    offline = offline_meters(now, hours[parameters.OFFLINE_HOURS])
    found = {
        MeterAlert.Kind.OFFLINE: offline,
        MeterAlert.Kind.NO_USE: no_use_meters(now, hours[parameters.NO_USE_HOURS],
                                              hours[parameters.OFFLINE_HOURS]) - offline,
        MeterAlert.Kind.CONTINUOUS: continuous_meters(now, hours[parameters.CONTINUOUS_HOURS]) - offline,
    }
    result = DetectionResult(found={str(k): len(v) for k, v in found.items()})
    for kind, ids in found.items():
        open_ = MeterAlert.objects.filter(kind=kind, resolved_at__isnull=True)
        ended = open_.exclude(meter_id__in=ids)
        if kind != MeterAlert.Kind.OFFLINE:
            ended = ended.exclude(meter_id__in=offline)  # silent: the person's state is unknown, keep the alarm
        result.resolved += ended.update(resolved_at=now)
        result.raised += _raise(kind, ids - set(open_.filter(meter_id__in=ids).values_list("meter_id", flat=True)),
                                now)
    result.tasks = _tasks_for_open_alerts(now, today)
    return result


def _raise(kind: str, meter_ids: set[int], now: datetime) -> int:
    if not meter_ids:
        return 0
    meters = Meter.objects.filter(pk__in=meter_ids).values_list("pk", "person_id", "area_id")
    last = dict(MeterReading.objects.filter(meter_id__in=meter_ids).order_by().values("meter_id")
                .annotate(last=Max("time")).values_list("meter_id", "last"))
    created = MeterAlert.objects.bulk_create(
        [MeterAlert(meter_id=pk, person_id=person, area_id=area, kind=kind, raised_at=now, last_reading_at=last.get(pk))
         for pk, person, area in meters], ignore_conflicts=True)
    return len(created)


def _tasks_for_open_alerts(now: datetime, today) -> int:
    """One task per open alert that has none (tasks_create_many skips sources that already own one)."""
    has_task = Task.objects.filter(source_type=ALERT_SOURCE, source_id=OuterRef("pk"))
    alerts = list(MeterAlert.objects.filter(resolved_at__isnull=True).filter(~Exists(has_task))
                  .select_related("meter"))
    if not alerts:
        return 0
    names = dict(Person.objects.filter(pk__in={a.person_id for a in alerts}).values_list("pk", "name"))
    alarm = parameters.value(parameters.ALARM_DEADLINE_HOURS, today)
    offline = parameters.value(parameters.OFFLINE_DEADLINE_HOURS, today)
    specs = []
    for alert in alerts:
        is_offline = alert.kind == MeterAlert.Kind.OFFLINE
        what = "智能水表离线，请检修设备" if is_offline else f"{alert.get_kind_display()}，请立即上门或电话核实"
        specs.append(TaskSpec(
            kind=TASK_KIND[alert.kind], title=f"{names.get(alert.person_id, '')}：{what}", area_id=alert.area_id,
            handling_level=Task.Level.COMMUNITY, person_id=alert.person_id, source_type=ALERT_SOURCE,
            source_id=alert.pk, deadline=deadline_at(now=now, hours=offline if is_offline else alarm),
            detail={"告警": alert.get_kind_display(), "设备编号": alert.meter.code,
                    "最近读数时间": f"{timezone.localtime(alert.last_reading_at):%Y-%m-%d %H:%M}"
                    if alert.last_reading_at else "无"}))
    return len(tasks_create_many(specs=specs))
