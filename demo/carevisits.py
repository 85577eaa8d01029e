"""The care-visits demo (探访关爱演示数据): the roster refreshed from the demo registry, visits and calls this week in
the community worker's community (some people still to reach), and smart water meters with a few alarms and one
offline device — through the real services, so the pages and the desk show what a community would see.
Idempotent: skipped when the roster already has visits."""

import random
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from accounts.models import User
from carevisits.detection import meters_detect
from carevisits.meters import meter_bind, readings_ingest
from carevisits.models import Meter, RosterEntry, Visit
from carevisits.roster import eligible_persons, roster_refresh
from carevisits.services import roster_add_manual, visit_record

WORKER = "community_worker"
OFFICER = "district_officer"
MIN_PEOPLE = 8
# meter pattern: litres used in the hour `h` hours ago (None: no reading — the device is silent)
PATTERNS = {
    "正常用水": lambda h: 20 if h % 3 else 0,
    "长时间未用水": lambda h: 0 if h < 30 else 15,
    "持续用水": lambda h: 60 if h < 10 else (15 if h % 3 else 0),
    "设备离线": lambda h: None if h < 12 else 10,
    "正常用水二": lambda h: 10 if h % 4 else 0,
}


@dataclass
class CareSummary:
    on_roster: int = 0
    visits: int = 0
    meters: int = 0
    alerts: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        if not self.on_roster:
            return "探访关爱演示数据：已存在，未重复生成"
        return (f"探访关爱演示数据：名册 {self.on_roster:,} 人，本周探访 {self.visits} 次，智能水表 {self.meters} 个"
                f"（告警 {self.alerts} 条），用时 {self.seconds:.1f} 秒")


def demo_carevisits_load(*, today: date, seed: int = 20261207) -> CareSummary:
    started = time.perf_counter()
    summary = CareSummary()
    worker = User.objects.filter(username=WORKER).first()
    officer = User.objects.filter(username=OFFICER).first()
    if worker is None or officer is None or Visit.objects.exists():
        return summary
    rng = random.Random(seed)
    summary.on_roster = roster_refresh(today=today, acting_user=officer).on_roster
    entries = _community_roster(worker, officer, today)
    summary.visits = _visits(worker, entries, rng)
    summary.meters, summary.alerts = _meters(officer, entries)
    summary.on_roster = RosterEntry.objects.filter(active=True).count()
    summary.seconds = time.perf_counter() - started
    return summary


def _community_roster(worker, officer, today: date) -> list[RosterEntry]:
    """The worker's community on the roster, topped up by hand (人工纳入) when the registry gives too few."""
    entries = list(RosterEntry.objects.filter(area_id=worker.area_id, active=True).select_related("person")
                   .order_by("pk")[:40])
    if len(entries) < MIN_PEOPLE:
        taken = {e.person_id for e in entries}
        for person in eligible_persons(today).filter(area_id=worker.area_id).exclude(pk__in=taken)[
                :MIN_PEOPLE - len(entries)]:
            entries.append(roster_add_manual(acting_user=worker, person=person, reason="子女长期在外务工，需定期探访"))
    return entries


def _visits(worker, entries: list[RosterEntry], rng: random.Random) -> int:
    """Two thirds of the community visited this week (one home visit, one to three calls); one need found."""
    now = timezone.now()
    monday = timezone.localdate(now) - timedelta(days=timezone.localdate(now).weekday())
    start = timezone.make_aware(datetime.combine(monday, datetime.min.time())) + timedelta(hours=9)
    span = max(int((now - start).total_seconds() // 60), 10)
    count = 0
    for index, entry in enumerate(entries):
        if index % 3 == 2:
            continue  # not reached yet this week: the desk lists them
        moments = sorted(start + timedelta(minutes=rng.randrange(span)) for _ in range(4))
        moments = [min(m, now) for m in moments]
        need = "medical" if index == 0 else "none"
        visit_record(acting_user=worker, entry=entry, kind="home", health=rng.choice(["good", "fair"]),
                     safety="safe", need=need, note="血压偏高，需陪同就医" if need != "none" else "", at=moments[0])
        for at in moments[1:1 + rng.randint(1, 3)]:
            visit_record(acting_user=worker, entry=entry, kind="phone", health="good", at=at)
            count += 1
        count += 1
    return count


def _meters(officer, entries: list[RosterEntry]) -> tuple[int, int]:
    """Five meters on the community's first people, 48 hours of hourly readings, then one detection run."""
    if Meter.objects.exists() or not entries:
        return 0, 0
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    rows = []
    for number, (entry, used) in enumerate(zip(entries, PATTERNS.values(), strict=False), start=1):
        code = f"SW-{entry.area_id[-6:]}-{number:02d}"
        meter_bind(acting_user=officer, code=code, person=entry.person, installed_at=now - timedelta(days=3))
        litres = 100_000 + number * 1000
        for hours_ago in range(48, -1, -1):
            step = used(hours_ago)
            if step is None:
                continue
            litres += step
            rows.append({"meter": code, "time": timezone.localtime(now - timedelta(hours=hours_ago)).isoformat(),
                         "reading": f"{litres / 1000:.3f}"})
    readings_ingest(acting_user=officer, rows=rows)
    result = meters_detect(now=now)
    return min(len(entries), len(PATTERNS)), result.raised
