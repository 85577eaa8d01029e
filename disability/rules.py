"""残疾人两项补贴的条件 (the conditions of the two disability subsidies), as read from the registry.

《重庆市困难残疾人生活补贴和重度残疾人护理补贴管理办法》（渝民发〔2021〕15号，RULES.md §4, S14）:

- 困难残疾人生活补贴 (`disability_living`): a member of a household holding 低保 who holds a 残疾人证;
- 重度残疾人护理补贴 (`disability_care`): a holder of a grade 1 or 2 (重度) 残疾人证;
- both may be received together; neither together with 特困人员救助供养 (`Program.excludes`, seeded by
  disability migration 0001) nor the care subsidy together with 工伤保险生活护理费 (an officer's input,
  `work_injury_care`: no department feed carries it).

Nothing is retyped: the certificate is the registry's current `registry.Disability` record (one the 残联 feed
replaced or withdrew is no longer current — that is an expired or downgraded certificate), 低保 is the household's
open `programs.Enrolment`. The same conditions are stated once more set-based in `disability.coverage` (one query
for a whole district); tests/disability/test_coverage.py checks the two agree on a crafted registry.
"""

from datetime import date

from django.db.models import Q, QuerySet

from minzheng.dates import month_end
from programs.models import OPEN_STATUSES, Enrolment
from registry.models import Disability, HouseholdMember

LIVING = "disability_living"
CARE = "disability_care"
DIBAO = "dibao"
SEVERE_GRADES = (1, 2)  # 重度残疾: 一级、二级


def certificates_held(person_id: int, month: date) -> QuerySet[Disability]:
    """The person's current certificates issued by the end of `month` (severest first)."""
    return (Disability.objects.filter(person_id=person_id, is_current=True)
            .filter(Q(issued_on__isnull=True) | Q(issued_on__lte=month_end(month))).order_by("grade", "id"))


def dibao_enrolment(person_id: int) -> Enrolment | None:
    """The open 低保 enrolment of a household the person is an active member of (None if there is none)."""
    households = HouseholdMember.objects.filter(person_id=person_id, is_active=True).values("household_id")
    return (Enrolment.objects.filter(program_id=DIBAO, household_id__in=households, status__in=OPEN_STATUSES)
            .order_by("id").first())
