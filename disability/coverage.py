"""两项补贴全覆盖 (full coverage of the two disability subsidies): who is eligible, who is enrolled, the gaps.

The conditions of `disability.rules`, stated set-based over a whole area at once (one query per list, whatever the
number of people), for the month `month` (its first day; a certificate counts if issued by the month's end):

- eligible (应享人数) — an active person in the area with a current 残疾人证 (grade 1 or 2 for 护理补贴; for 生活补贴
  any grade and an active membership of a household with an open 低保 enrolment), not holding 特困 (excluded);
- enrolled (已享人数) — among the eligible, those holding the subsidy (正常享受、渐退期 or 暂停: the place is held);
- missing (应享未享) — eligible and not enrolled: 政策找人;
- ineligible enrolled (已享但不再符合) — an enrolment holding the subsidy whose person is no longer eligible
  (certificate withdrawn or expired, downgraded to grade 3/4, left 低保, now 特困, dead): a re-check.

**Coverage rate (覆盖率) = enrolled ÷ eligible** — both counted over the eligible, so it is at most 100 % and an
ineligible enrolment does not raise it (it is listed apart); an area without eligible people has no rate (None).
What the registry cannot know is out of these counts: 工伤保险生活护理费 (the officer's input at the quote).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import BigIntegerField, Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast

from disability.rules import CARE, DIBAO, LIVING, SEVERE_GRADES
from minzheng.dates import first_of_month, month_end
from minzheng.lookups import prefix_q
from programs.models import OPEN_STATUSES, Enrolment
from programs.selectors import HOLDING_STATUSES
from registry.facts import hukou_outside_chongqing
from registry.models import Disability, HouseholdMember, Person

PROGRAMS = (LIVING, CARE)
TEKUN = "tekun"


def _certificate(month: date, *, severe: bool, person: str = "pk") -> Exists:
    rows = (Disability.objects.filter(person_id=OuterRef(person), is_current=True)
            .filter(Q(issued_on__isnull=True) | Q(issued_on__lte=month_end(month))))
    return Exists(rows.filter(grade__in=SEVERE_GRADES) if severe else rows)


def _in_dibao(person: str = "pk") -> Exists:
    dibao = Enrolment.objects.filter(program_id=DIBAO, household_id=OuterRef("household_id"),
                                     status__in=OPEN_STATUSES)
    return Exists(HouseholdMember.objects.filter(person_id=OuterRef(person), is_active=True).filter(Exists(dibao)))


def _holding(program: str, person: str = "pk") -> Exists:
    return Exists(Enrolment.objects.filter(program_id=program, person_id=OuterRef(person), status__in=HOLDING_STATUSES))


def _holders(month: date, *, severe: bool) -> QuerySet:
    rows = (Disability.objects.filter(is_current=True)
            .filter(Q(issued_on__isnull=True) | Q(issued_on__lte=month_end(month))))
    return (rows.filter(grade__in=SEVERE_GRADES) if severe else rows).values("person_id")


def _dibao_members() -> QuerySet:
    households = Enrolment.objects.filter(program_id=DIBAO, status__in=OPEN_STATUSES, household_id__isnull=False)
    return HouseholdMember.objects.filter(is_active=True, household_id__in=households.values("household_id")
                                          ).values("person_id")


def _eligible_q(program: str, month: date) -> Q:
    """The conditions over a Person queryset. The certificate and 低保 conditions are IN (subquery): both databases
    drive the search from the 60,000 certificates rather than test each of 1.5 M people (measured:
    bench/coverage.py); the exclusions are NOT EXISTS (an anti-join)."""
    condition = (Q(pk__in=_holders(month, severe=program == CARE)) & ~Q(_holding(TEKUN))
                 & ~Q(pk__in=hukou_outside_chongqing(month_end(month))))
    return condition & Q(pk__in=_dibao_members()) if program == LIVING else condition


def eligible(program: str, month: date, area_prefix: str = "") -> QuerySet[Person]:
    """应享: the people eligible for `program` in `month` living in the area."""
    month = first_of_month(month)
    return (Person.objects.filter(prefix_q("area_id", area_prefix), status=Person.Status.ACTIVE)
            .filter(_eligible_q(program, month)))


def enrolled_eligible(program: str, month: date, area_prefix: str = "") -> QuerySet[Person]:
    """应享已享: eligible and holding the subsidy (the coverage rate's numerator)."""
    return eligible(program, month, area_prefix).filter(_holding(program))


def missing(program: str, month: date, area_prefix: str = "") -> QuerySet[Person]:
    """应享未享: eligible, holding no enrolment in the subsidy."""
    return eligible(program, month, area_prefix).filter(~Q(_holding(program)))


def ineligible_enrolled(program: str, month: date, area_prefix: str = "") -> QuerySet[Enrolment]:
    """已享但不再符合: enrolments holding the subsidy whose person is not eligible in `month`, with the facts that
    say why (`has_certificate`, `has_severe`, `in_dibao`, `in_tekun`, `hukou_outside`, `person_active`)."""
    month = first_of_month(month)
    person = "person_id"
    eligible_person = (Person.objects.filter(pk=OuterRef(person), status=Person.Status.ACTIVE)
                       .filter(_eligible_q(program, month)))
    return (Enrolment.objects.filter(prefix_q("area_id", area_prefix), program_id=program,
                                     status__in=HOLDING_STATUSES)
            .filter(~Exists(eligible_person))
            .annotate(has_certificate=_certificate(month, severe=False, person=person),
                      has_severe=_certificate(month, severe=True, person=person),
                      in_dibao=_in_dibao(person), in_tekun=_holding(TEKUN, person),
                      hukou_outside=Exists(
                          hukou_outside_chongqing(month_end(month)).filter(person_id=OuterRef(person))),
                      person_active=Exists(Person.objects.filter(pk=OuterRef(person), status=Person.Status.ACTIVE))))


def ineligible_reason(program: str, row) -> str:
    """Why an enrolment of `ineligible_enrolled` no longer qualifies, in the officer's words."""
    if not row.person_active:
        return "人员已死亡或迁出"
    if not row.has_certificate:
        return "残疾人证已失效或注销"
    if program == CARE and not row.has_severe:
        return "残疾等级已调整为三级或四级"
    if row.in_tekun:
        return "已纳入特困人员救助供养"
    if row.hukou_outside:
        return "户籍已迁出重庆市"
    if program == LIVING and not row.in_dibao:
        return "已不在低保家庭"
    return "不再符合条件"


def null_record() -> Cast:
    """The record column of a coverage warning's candidates: none (the check reads the registry, not a feed)."""
    return Cast(Value(None), output_field=BigIntegerField())


@dataclass(frozen=True)
class Coverage:
    """One area's coverage of one subsidy in one month."""

    program: str
    month: date
    area_prefix: str
    eligible: int
    enrolled: int

    @property
    def rate(self) -> float | None:
        """覆盖率 = 已享人数 ÷ 应享人数 (None when nobody is eligible)."""
        return round(self.enrolled / self.eligible, 4) if self.eligible else None


def coverage(program: str, month: date, area_prefix: str = "") -> Coverage:
    """覆盖率 of one area: the eligible counted, and those of them holding the subsidy."""
    counts = eligible(program, month, area_prefix).aggregate(
        eligible=Count("pk"), enrolled=Count("pk", filter=Q(_holding(program))))
    return Coverage(program=program, month=first_of_month(month), area_prefix=area_prefix,
                    eligible=counts["eligible"], enrolled=counts["enrolled"])


def coverage_by_community(program: str, month: date, area_prefix: str = "") -> dict[str, tuple[int, int]]:
    """{community code: (enrolled, eligible)} — the numerator and denominator of each community's rate, for the
    cockpit and the town table (a community without eligible people is absent)."""
    rows = (eligible(program, month, area_prefix).order_by().values("area_id")
            .annotate(eligible=Count("pk"), enrolled=Count("pk", filter=Q(_holding(program)))))
    return {row["area_id"]: (row["enrolled"], row["eligible"]) for row in rows}


def coverage_by_town(program: str, month: date, area_prefix: str = "") -> dict[str, tuple[int, int]]:
    """{town code (12 digits): (enrolled, eligible)}, summed from the communities."""
    towns: dict[str, tuple[int, int]] = {}
    for community, (enrolled, total) in coverage_by_community(program, month, area_prefix).items():
        town = community[:9] + "000"
        before = towns.get(town, (0, 0))
        towns[town] = (before[0] + enrolled, before[1] + total)
    return dict(sorted(towns.items()))
