"""高龄津贴 stops (RULES.md §4: 死亡 and 生存认证 are two of the 免申即享 data feeds).

- Death: `registry.services.person_record_death` → `programs.services.enrolment_end_on_death` ends the person's
  enrolments, 高龄津贴 included, from the month after the death (already on main; tested here).
- 生存认证 (proof of life) failed: the allowance is suspended from the month given until a later 认证 passes
  (`survival_check_pass` resumes it). Both go through the programmes' services (grant `enrolment` change).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import EventType
from audit.services import domain_event_write
from programs.models import Enrolment
from programs.services import enrolment_resume, enrolment_suspend
from registry.models import Person

GAOLING = "gaoling"


@transaction.atomic
def survival_check_fail(*, acting_user, person: Person, month: date, note: str = "") -> Enrolment:
    """生存认证未通过: suspend the person's 高龄津贴 from `month`."""
    enrolment = Enrolment.objects.filter(program_id=GAOLING, person=person,
                                         status__in=("active", "phasing_out")).first()
    if enrolment is None:
        raise ValidationError({"person": [f"{person.name}没有正在享受的高龄津贴"]})
    reason = "生存认证未通过" + (f"：{note}" if note else "")
    enrolment = enrolment_suspend(acting_user=acting_user, enrolment=enrolment, reason=reason[:200],
                                  effective_month=month)
    domain_event_write(type=EventType.SURVIVAL_CHECK_FAILED, person=person, subject=enrolment,
                       acting_user=acting_user,
                       message=f"{person.name}生存认证未通过，高龄津贴自{month:%Y年%m月}起暂停")
    return enrolment


@transaction.atomic
def survival_check_pass(*, acting_user, person: Person, month: date) -> Enrolment:
    """生存认证通过 after a failure: resume the suspended 高龄津贴 from `month`."""
    enrolment = Enrolment.objects.filter(program_id=GAOLING, person=person, status="suspended").first()
    if enrolment is None:
        raise ValidationError({"person": [f"{person.name}没有暂停中的高龄津贴"]})
    return enrolment_resume(acting_user=acting_user, enrolment=enrolment, reason="生存认证通过，恢复发放",
                            effective_month=month)
