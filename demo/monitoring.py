"""The monitoring demo (动态监测演示数据): a month of department feeds, the warnings they raise and their tasks in
every state — through the real services, so the pages show what a bureau would see after a month of running.

Built on the roll the assistance demo made: department files are written as CSV the way a department sends them
(with a few rows about people of other districts, one without a usable ID number, one with a bad date) and
uploaded by the district officer; the rules run as they would. Then the town officers work part of the queue:
some tasks taken up, some closed (属实 / 不属实 / 已转交), one overdue and escalated. Deaths are not in the demo
feeds: a death would end or re-rate enrolments the payroll demo has just paid.
"""

import csv
import io
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from demo.generator import id_number_build
from imports.schemas import schema_get
from minzheng.lookups import prefix_q
from monitoring.feeds import FEED_TYPES
from monitoring.models import FeedBatch, Warning
from monitoring.services import feed_batch_process, feed_batch_upload
from programs.models import Enrolment
from registry.models import Person
from tasks.models import Task
from tasks.services import task_close, task_start, tasks_escalate_overdue

OFFICER = "district_officer"
TOWN_OFFICERS = ("town_officer_xlk", "town_officer_spb")
# Numbers of another district (九龙坡区 500107): dropped on upload as non-residents, only counted.
OUTSIDER_PREFIX = "500107"


@dataclass
class MonitoringSummary:
    batches: int = 0
    warnings: int = 0
    closed: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        if not self.batches:
            return "动态监测演示数据：已存在或无享受对象，未生成"
        return (f"动态监测演示数据：部门数据 {self.batches} 批，预警 {self.warnings:,} 条"
                f"（已办结 {self.closed:,} 条），用时 {self.seconds:.1f} 秒")


def _csv(feed_code: str, rows: list[dict]) -> bytes:
    columns = schema_get(FEED_TYPES[feed_code].schema_key).columns
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([row.get(c.key, "") for c in columns])
    return out.getvalue().encode("utf-8")


def _row(person: Person, day: date, **payload) -> dict:
    return {"id_number": person.id_number, "name": person.name, "event_date": day.isoformat(), **payload}


def _outsider(rng: random.Random, day: date, **payload) -> dict:
    number = id_number_build(OUTSIDER_PREFIX, date(1970 + rng.randrange(30), 1 + rng.randrange(12), 1),
                             2 * rng.randrange(400) + 1)
    return {"id_number": number, "name": "外区人员", "event_date": day.isoformat(), **payload}


def _in_demo_towns(towns: list[str]) -> Q:
    """People of the towns that have demo officers, so the warnings land in a queue someone can log in to."""
    condition = Q(pk__in=[])
    for town in towns:
        condition |= prefix_q("area_id", town[:9])
    return condition


def _feeds(rng: random.Random, month: date, towns: list[str]) -> dict[str, list[dict]]:
    """Rows per feed: members of enrolled households (to re-check) and people near the line (to find)."""
    living = Person.objects.filter(_in_demo_towns(towns), status=Person.Status.ACTIVE, id_number__isnull=False)
    enrolled = list(living.filter(memberships__household__enrolments__status="active", memberships__is_active=True)
                    .distinct().order_by("pk")[:400])
    others = list(living.filter(birth_date__lte=month - timedelta(days=365 * 20))
                  .exclude(pk__in=[p.pk for p in enrolled]).order_by("pk")[:400])
    if not enrolled or not others:
        return {}
    pick = rng.sample
    day = month + timedelta(days=4)
    vehicles = [_row(p, day, plate=f"渝A{rng.randrange(10000, 99999)}", vehicle_type="小型轿车", value="86000")
                for p in pick(enrolled, min(6, len(enrolled)))]
    vehicles += [_outsider(rng, day, plate="渝B00001", vehicle_type="小型轿车")]
    medical = [_row(p, day, settlement_no=f"YB{month:%Y%m}{i:05d}", hospital="重庆医科大学附属第一医院",
                    total="42000", out_of_pocket=str(rng.choice((12500, 18600, 23000))))
               for i, p in enumerate(pick(others, min(8, len(others))))]
    medical.append({"id_number": "", "name": others[0].name, "birth_date": others[0].birth_date.isoformat(),
                    "event_date": day.isoformat(), "settlement_no": f"YB{month:%Y%m}99999", "out_of_pocket": "15000"})
    unemployment = [_row(p, day, certificate=f"5001062026{i:06d}") for i, p in enumerate(pick(others, 8))]
    unemployment.append({**_row(others[-1], day), "event_date": "2026-13-01"})  # a bad date: a row error
    pension = [_row(p, day, monthly_amount="3600.00", kind="基本养老金", payer="沙坪坝区社保局")
               for p in pick(enrolled, min(4, len(enrolled)))]
    return {"vehicle": vehicles, "medical": medical, "unemployment": unemployment, "pension": pension}


def _work_the_queue() -> int:
    """Town officers take up some tasks and close others, each with its own outcome; one is escalated."""
    officers = {u.area_id[:9]: u for u in User.objects.filter(username__in=TOWN_OFFICERS)}
    tasks = [t for t in Task.objects.filter(status=Task.Status.OPEN).order_by("pk")
             if t.assigned_area_id[:9] in officers]
    closed = 0
    outcomes = [("confirmed", "已入户核实，情况属实，已按规定处置", ""),
                ("not_confirmed", "经核实，车辆已于上月过户，不属实", ""),
                ("handed_over", "涉及医疗救助，已转区医保局办理", "区医疗保障局")]
    for index, task in enumerate(tasks):
        officer = officers[task.assigned_area_id[:9]]
        if index % 4 == 0:
            task_start(acting_user=officer, task=task)
        elif index % 4 == 1:
            outcome, note, handed_to = outcomes[(index // 4) % len(outcomes)]
            task_close(acting_user=officer, task=task, outcome=outcome, note=note, handed_to=handed_to)
            closed += 1
    overdue = Task.objects.filter(status=Task.Status.OPEN).order_by("pk").first()
    if overdue is not None:
        Task.objects.filter(pk=overdue.pk).update(deadline=timezone.now() - timedelta(days=3))
        tasks_escalate_overdue()
    return closed


def demo_monitoring_load(*, today: date, seed: int = 20261101) -> MonitoringSummary:
    """A month of feeds and their warnings and tasks; skipped when feeds were already loaded."""
    started = time.perf_counter()
    summary = MonitoringSummary()
    if FeedBatch.objects.exists() or not Enrolment.objects.filter(status="active").exists():
        return summary
    rng = random.Random(seed)
    officer = User.objects.get(username=OFFICER)
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    towns = list(User.objects.filter(username__in=TOWN_OFFICERS).values_list("area_id", flat=True))
    for feed_code, rows in _feeds(rng, month, towns).items():
        batch = feed_batch_upload(acting_user=officer, feed_type=feed_code,
                                  filename=f"{FEED_TYPES[feed_code].name}.csv", content=_csv(feed_code, rows),
                                  period=f"{month:%Y-%m}")
        if batch.status == FeedBatch.Status.RUNNING:
            # Its job runs when the upload's transaction commits; inside an outer one (a test's) run it here.
            feed_batch_process(feed_batch=batch)
        summary.batches += 1
    summary.closed = _work_the_queue()
    summary.warnings = Warning.objects.count()
    summary.seconds = time.perf_counter() - started
    return summary
