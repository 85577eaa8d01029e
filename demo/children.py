"""The children's welfare demo (儿童福利演示数据): children of every category on files with their parents'
situations, the two allowances enrolled by their quotes, two recognitions waiting in the town's queue, child
directors in most (not all) communities, supervisors and protection stations in most towns, visits and
screenings — all through the children's, programmes' and assistance's services.

Idempotent: nothing is made when a child file exists already. Minors are taken from the demo population in a
seeded order; the left-behind children from rural households.
"""

import random
from dataclasses import dataclass
from datetime import date

from accounts.models import User
from areas.models import Area, AreaLevel
from assistance.rechecks import recheck_schedule
from assistance.services import application_submit
from children.care import assessment_record, home_visit_record
from children.models import ChildFile, NetworkRole
from children.network import network_role_appoint, station_open
from children.services import child_file_record, parent_situation_record
from demo.payments import bank_accounts_create
from minzheng.dates import add_months, first_of_month, years_before
from programs.calculations import quote
from programs.models import Program
from programs.services import enrolment_start
from registry.models import HouseholdMember, Person

OFFICER = "district_officer"
SURNAMES = "王李张刘陈杨黄赵周吴"
# (category programme, how many, the parents' reasons, placement, file categories)
PLAN = [
    ("orphan", 3, ("dead", "dead"), "institution", []),
    ("orphan", 3, ("dead", "declared_missing"), "family", []),
    ("de_facto_unattended", 6, ("imprisoned", "seriously_ill"), "family", []),
    ("hardship_child", 5, (), "family", ["hardship_child"]),
    ("left_behind_child", 5, ("working_away", "working_away"), "family", ["left_behind_child"]),
    ("migrant_child", 4, (), "family", ["migrant_child"]),
]


@dataclass
class ChildrenSummary:
    children: int = 0
    enrolled: int = 0
    directors: int = 0
    communities: int = 0

    def line(self) -> str:
        if not self.children:
            return "儿童福利演示数据：已存在或无未成年人，未生成"
        return (f"儿童福利演示数据：儿童档案 {self.children} 份，纳入 {self.enrolled} 人；"
                f"儿童主任 {self.directors} 名（共 {self.communities} 个村社区）")


def _minors(today: date, rural: bool, taken: set[int], rng: random.Random, count: int) -> list[Person]:
    rows = (HouseholdMember.objects.filter(is_active=True, household__hukou_type="rural" if rural else "urban",
                                           person__status="active", person__birth_date__gt=years_before(today, 17),
                                           person__birth_date__lte=years_before(today, 1))
            .exclude(person_id__in=taken).values_list("person_id", flat=True).order_by("person_id")[:400])
    ids = list(rows)
    rng.shuffle(ids)
    return list(Person.objects.filter(pk__in=ids[:count]).order_by("pk"))


def _network(officer: User, today: date, rng: random.Random, summary: ChildrenSummary) -> None:
    towns = list(Area.objects.filter(level=AreaLevel.TOWN).order_by("code"))
    appointed = date(today.year - 1, 3, 1)
    for index, town in enumerate(towns):
        communities = list(Area.objects.filter(parent=town, level=AreaLevel.COMMUNITY).order_by("code"))
        summary.communities += len(communities)
        for number, community in enumerate(communities):
            if (index + number) % 6 == 5:  # most, not all, communities have a child director
                continue
            name = f"{SURNAMES[rng.randrange(len(SURNAMES))]}{'晓红晓兰春梅秀英建华'[rng.randrange(5) * 2:][:2]}"
            network_role_appoint(acting_user=officer, kind=NetworkRole.Kind.DIRECTOR, area_code=community.code,
                                 name=name, appointed_on=appointed)
            summary.directors += 1
        if index % 5 != 4:
            network_role_appoint(acting_user=officer, kind=NetworkRole.Kind.SUPERVISOR, area_code=town.code,
                                 name=f"{town.name}督导员", appointed_on=appointed)
        if index % 4 != 3:
            station_open(acting_user=officer, area_code=town.code, name=f"{town.name}未成年人保护工作站",
                         opened_on=date(today.year - 1, 6, 1))


def demo_children_load(*, today: date, seed: int = 7) -> ChildrenSummary:
    summary = ChildrenSummary()
    officer = User.objects.filter(username=OFFICER).first()
    if officer is None or ChildFile.objects.exists():
        return summary
    rng = random.Random(seed)
    month = first_of_month(today)
    taken: set[int] = set()
    programs = {p.code: p for p in Program.objects.filter(code__in={p[0] for p in PLAN})}
    pending = 0
    for code, count, reasons, placement, categories in PLAN:
        for child in _minors(today, code == "left_behind_child", taken, rng, count):
            taken.add(child.pk)
            file = child_file_record(acting_user=officer, person=child, categories=categories, placement=placement)
            for role, reason in zip(("father", "mother"), reasons, strict=False):
                parent_situation_record(acting_user=officer, file=file, role=role, reason=reason,
                                        evidence="（演示）证明材料", since=date(today.year - 3, 5, 1))
            summary.children += 1
            if pending < 2 and code == "de_facto_unattended":  # two recognitions in the town's queue
                application_submit(acting_user=officer, program=code, person=child)
                pending += 1
                continue
            result = quote(program=programs[code], person=child, month=month)
            if result.eligible:
                enrolment = enrolment_start(acting_user=officer, program=programs[code], person=child,
                                            start_month=add_months(month, -2), quote=result)
                recheck_schedule(enrolment=enrolment, household_kind="unstable", acting_user=officer)
                summary.enrolled += 1
            if code in ("orphan", "de_facto_unattended") and rng.random() < 0.6:
                home_visit_record(acting_user=officer, file=file, visited_on=date(month.year, month.month, 1)
                                  if rng.random() < 0.5 else add_months(month, -2),
                                  findings="（演示）儿童生活、学习情况正常，监护人照料到位")
            if rng.random() < 0.3:
                assessment_record(acting_user=officer, file=file, kind="mental_health",
                                  score=rng.choice([8, 12, 19, 22]), assessed_on=add_months(month, -1))
    _network(officer, today, rng, summary)
    bank_accounts_create()  # the children's allowances are paid like every other: accounts for the new payees
    return summary
