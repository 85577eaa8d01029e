"""The disability demo (残疾人福利演示数据): the two subsidies for most of the certificate holders the population
generator made, the rest left for the monthly coverage check to find (政策找人), a 精康融合 site per town with
participants and sessions, and assistive-device applications in every state — through the real services.

Idempotent: when any enrolment in either subsidy exists, nothing is generated again.
"""

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

from accounts.models import User
from disability.coverage import PROGRAMS, missing
from disability.devices import device_apply, device_assess, device_follow_up, device_issue
from disability.models import RehabSite
from disability.rehab import rehab_participant_enrol, rehab_session_record
from disability.services import coverage_check_run
from programs.models import Enrolment, Program
from programs.services import enrolments_start_bulk
from registry.models import Disability, Person

APPROVER, OFFICER = "district_approver", "district_officer"
ENROLLED_SHARE = 0.8  # four holders in five already receive their subsidies; the rest are for 政策找人
ACTIVITIES = ("生活技能训练", "社交技能训练", "职业康复训练", "心理疏导", "家属培训")
DEVICES = ("轮椅", "助听器", "助行器", "坐便椅", "盲杖", "假肢")


@dataclass
class DisabilitySummary:
    enrolled: int = 0
    left_missing: int = 0
    warned: int = 0
    participants: int = 0
    devices: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        if not (self.enrolled or self.left_missing):
            return "残疾人福利演示数据：已存在或无持证人员，未生成"
        return (f"残疾人福利演示数据：两项补贴纳入 {self.enrolled:,} 人次，留待政策找人 {self.left_missing:,} 人次"
                f"（提醒 {self.warned:,} 条），精康融合服务对象 {self.participants} 人，"
                f"辅助器具申请 {self.devices} 件，用时 {self.seconds:.1f} 秒")


def demo_disability_load(*, today: date, seed: int) -> DisabilitySummary:
    summary, started = DisabilitySummary(), time.perf_counter()
    if Enrolment.objects.filter(program_id__in=PROGRAMS).exists():
        return summary
    rng = random.Random(seed + 15)
    approver = User.objects.get(username=APPROVER)
    officer = User.objects.get(username=OFFICER)
    month = today.replace(day=1)
    for code in PROGRAMS:
        program = Program.objects.get(code=code)
        people = list(missing(code, month).order_by("pk").only("id", "name", "area_id", "status"))
        chosen = [p for p in people if rng.random() < ENROLLED_SHARE]
        started_bulk = enrolments_start_bulk(acting_user=approver, program=program,
                                             subjects=[(None, p) for p in chosen], start_month=month,
                                             reason="演示数据：已审核纳入")
        summary.enrolled += len(started_bulk.enrolled)
        summary.left_missing += len(people) - len(started_bulk.enrolled)
    result = coverage_check_run(month=month)
    summary.warned = sum(v["warned"] for v in result["programs"].values())
    _rehab(rng, officer, today, summary)
    _devices(rng, officer, today, summary)
    summary.seconds = time.perf_counter() - started
    return summary


def _rehab(rng: random.Random, officer, today: date, summary: DisabilitySummary) -> None:
    """A site per town with up to five people holding a 精神残疾 certificate, each with a few sessions."""
    mental = (Disability.objects.filter(is_current=True, category="mental", person__status=Person.Status.ACTIVE)
              .select_related("person").order_by("id"))
    towns: dict[str, list] = {}
    for record in mental:
        towns.setdefault(record.area_id[:9] + "000", []).append(record.person)
    for town, people in sorted(towns.items()):
        site = RehabSite.objects.create(name="精康融合服务站", area_id=town, operator="社区康复服务中心")
        for person in people[:5]:
            joined = today - timedelta(days=30 + rng.randrange(120))
            participant = rehab_participant_enrol(acting_user=officer, person=person, site=site, joined_on=joined)
            for week in range(1, 1 + rng.randrange(2, 6)):
                rehab_session_record(acting_user=officer, participant=participant,
                                     held_on=joined + timedelta(days=7 * week), activity=rng.choice(ACTIVITIES),
                                     attended=rng.random() < 0.85)
            summary.participants += 1


def _devices(rng: random.Random, officer, today: date, summary: DisabilitySummary) -> None:
    """Twelve applications: some only applied, some assessed (fit or not), issued, followed up."""
    holders = (Disability.objects.filter(is_current=True, person__status=Person.Status.ACTIVE, grade__lte=2)
               .select_related("person").order_by("id")[:12])
    for index, record in enumerate(holders):
        applied = today - timedelta(days=20 + 5 * index)
        application = device_apply(acting_user=officer, person=record.person, device=rng.choice(DEVICES),
                                   applied_on=applied, fukang=index % 3 == 0)
        summary.devices += 1
        if index % 4 == 0:
            continue
        suitable = index % 5 != 1
        application = device_assess(acting_user=officer, application=application,
                                    assessed_on=applied + timedelta(days=3), suitable=suitable,
                                    assessment="经评估适配" if suitable else "经评估暂不适配，建议康复训练后再评估")
        if application.status != application.Status.ASSESSED or index % 4 == 1:
            continue
        application = device_issue(acting_user=officer, application=application,
                                   issued_on=applied + timedelta(days=10))
        if index % 4 == 3:
            device_follow_up(acting_user=officer, application=application, follow_up_on=applied + timedelta(days=18),
                             note="使用正常，已指导使用方法")
