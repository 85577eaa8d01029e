"""养老机构 reads and writes: a provider's account sees only its own home; monthly figures; the daily
self-inspection (一日十问) and the bureau's monthly inspection, each hazard a Task with a rectification
deadline, closed with evidence; residents.

Scope: bureau staff see the homes of their area (`restrict` on the home's community). A care-home account
(role 养老机构填报员, grant ("carehome", "own")) sees, besides the area rule, only the homes it is linked to
(`CareHome.providers`), so two homes in one community do not see each other.
"""

from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from accounts.policy import allowed, restrict
from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from eldercare.models import CareHome, CareHomeMonthlyReport, CareHomeResident, Hazard, SafetyCheck, SafetyChecklistItem
from minzheng.dates import first_of_month
from registry.models import Person
from tasks.models import Task
from tasks.services import task_close, task_create

HAZARD_SOURCE = "eldercare.hazard"


def carehomes_visible(user, action: str = "view") -> QuerySet[CareHome]:
    homes = restrict(CareHome.objects.all(), user, action, resource="carehome")
    if allowed(user, "carehome", "own"):
        homes = homes.filter(providers=user)
    return homes


def _home_for(user, home: CareHome, action: str) -> CareHome:
    found = carehomes_visible(user, action).filter(pk=home.pk).first()
    if found is None:
        raise PermissionDenied("无权操作该养老机构")
    return found


def occupancy_by_level(home: CareHome) -> dict[int, int]:
    """入住老人 by care level (0–4), from the residents who have not left: one grouped query."""
    rows = (CareHomeResident.objects.filter(home=home, left_on__isnull=True).values("care_level")
            .annotate(n=Count("id")))
    return {r["care_level"]: r["n"] for r in rows}


def person_for_admission(*, id_number: str, name: str) -> Person:
    """入住登记 links the resident to the registry: the person whose ID number and name both match (a home's account
    cannot browse the registry; it has the ID card in hand)."""
    from registry.selectors import person_by_id_number

    person = person_by_id_number(id_number)
    if person is None:
        raise ValidationError({"id_number": ["居民信息库中没有该身份证号码的人员，请先到社区登记"]})
    if person.name != (name or "").strip():
        raise ValidationError({"name": ["姓名与身份证号码不符"]})
    return person


@transaction.atomic
def resident_admit(*, acting_user, home: CareHome, person: Person, care_level: int, on: date) -> CareHomeResident:
    """入住登记: a living person from the registry into a home with a free bed, at a care level (能力等级 0–4)."""
    home = _home_for(acting_user, home, "report")
    if not 0 <= care_level <= 4:
        raise ValidationError({"care_level": ["照护等级应为0至4"]})
    if on > timezone.localdate():
        raise ValidationError({"admitted_on": ["入住日期不能晚于今天"]})
    if person.status != Person.Status.ACTIVE:
        raise ValidationError({"person": [f"{person.name}不是在册居民（已死亡或已注销），不能办理入住"]})
    CareHome.objects.select_for_update().filter(pk=home.pk).first()  # one admission at a time per home: beds
    if CareHomeResident.objects.filter(person=person, left_on__isnull=True).exists():
        raise ValidationError({"person": [f"{person.name}已在养老机构入住，请先办理离院"]})
    if CareHomeResident.objects.filter(home=home, left_on__isnull=True).count() >= home.beds:
        raise ValidationError({"person": [f"{home.name}床位已满（{home.beds}张）"]})
    resident = CareHomeResident.objects.create(home=home, person=person, area_id=home.area_id, care_level=care_level,
                                               admitted_on=on)
    change_log_write(instance=resident, action=ChangeLog.Action.CREATE, before=None, after=snapshot(resident),
                     acting_user=acting_user)
    domain_event_write(type=EventType.RESIDENT_ADMITTED, person=person, subject=resident, acting_user=acting_user,
                       message=f"入住{home.name}（{on:%Y-%m-%d}）")
    return resident


@transaction.atomic
def resident_discharge(*, acting_user, resident: CareHomeResident, on: date, reason: str) -> CareHomeResident:
    """离院登记: the day the resident left and why (回家、转院、死亡 …)."""
    home = _home_for(acting_user, resident.home, "report")
    resident = (CareHomeResident.objects.select_for_update(of=("self",)).select_related("person")
                .get(pk=resident.pk, home=home))
    if resident.left_on is not None:
        raise ValidationError({"left_on": [f"{resident.person.name}已于{resident.left_on:%Y-%m-%d}离院"]})
    if on > timezone.localdate() or on < resident.admitted_on:
        raise ValidationError({"left_on": ["离院日期应在入住日期与今天之间"]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写离院原因"]})
    before = snapshot(resident)
    resident.left_on = on
    resident.save(update_fields=["left_on"])
    change_log_write(instance=resident, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(resident),
                     acting_user=acting_user, reason=reason[:200])
    domain_event_write(type=EventType.RESIDENT_DISCHARGED, person=resident.person, subject=resident,
                       acting_user=acting_user, message=f"离开{home.name}（{on:%Y-%m-%d}，{reason[:100]}）")
    return resident


def residents_current(home: CareHome) -> QuerySet[CareHomeResident]:
    return (CareHomeResident.objects.filter(home=home, left_on__isnull=True).select_related("person")
            .order_by("-admitted_on", "-id"))


def _count(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError({field: ["应为不小于0的整数"]})
    return value


@transaction.atomic
def monthly_report_submit(*, acting_user, home: CareHome, month: date, residents_by_level: dict,
                          staff_total: int, staff_carers: int, prepaid_balance) -> CareHomeMonthlyReport:
    """机构月报: the provider's figures for a month (a second submission for the month corrects the first)."""
    home = _home_for(acting_user, home, "report")
    levels = {str(k): _count(v, f"level_{k}") for k, v in residents_by_level.items()}
    if set(levels) - {"0", "1", "2", "3", "4"}:
        raise ValidationError({"residents_by_level": ["照护等级应为0至4"]})
    residents = sum(levels.values())
    if residents > home.beds:
        raise ValidationError({"residents_by_level": [f"入住人数{residents}超过床位数{home.beds}"]})
    if _count(staff_carers, "staff_carers") > _count(staff_total, "staff_total"):
        raise ValidationError({"staff_carers": ["养老护理员数不能超过工作人员数"]})
    report, created = CareHomeMonthlyReport.objects.update_or_create(
        home=home, month=first_of_month(month),
        defaults={"area_id": home.area_id, "residents_by_level": levels, "residents": residents,
                  "staff_total": staff_total, "staff_carers": staff_carers, "prepaid_balance": prepaid_balance,
                  "reported_by": acting_user})
    change_log_write(instance=report, action=ChangeLog.Action.CREATE if created else ChangeLog.Action.UPDATE,
                     before=None, after=snapshot(report), acting_user=acting_user)
    return report


@transaction.atomic
def safety_check_record(*, acting_user, home: CareHome, kind: str, on: date, answers: dict[str, bool],
                        hazards: list[dict]) -> SafetyCheck:
    """安全检查: the daily 一日十问 (the home's account: every active question answered) or the bureau's monthly
    inspection (grant ("carehome", "inspect")). Each hazard (`{"description", "deadline"}`) becomes a Hazard and
    a Task for the home's community, due at the end of its rectification deadline."""
    if kind == SafetyCheck.Kind.DAILY:
        home = _home_for(acting_user, home, "report")
        questions = set(SafetyChecklistItem.objects.filter(active=True).values_list("code", flat=True))
        missing = questions - set(answers)
        if missing:
            raise ValidationError({"answers": [f"一日十问尚有{len(missing)}项未回答"]})
    elif kind == SafetyCheck.Kind.BUREAU:
        home = _home_for(acting_user, home, "inspect")
    else:
        raise ValidationError({"kind": ["检查类型应为每日自查或民政部门月度检查"]})
    if any(not (h.get("description") or "").strip() for h in hazards):
        raise ValidationError({"hazards": ["请描述每一项隐患"]})
    check = SafetyCheck.objects.create(home=home, area_id=home.area_id, kind=kind, date=on,
                                       answers={k: bool(v) for k, v in answers.items()}, checked_by=acting_user)
    for h in hazards:
        _hazard_create(check, h["description"].strip()[:300], h["deadline"], acting_user)
    return check


def _hazard_create(check: SafetyCheck, description: str, deadline: date, acting_user) -> Hazard:
    if deadline < check.date:
        raise ValidationError({"deadline": ["整改期限不能早于检查日期"]})
    hazard = Hazard.objects.create(check_record=check, home=check.home, area_id=check.area_id,
                                   description=description, deadline=deadline)
    hazard.task = task_create(
        acting_user=acting_user, kind="hazard", title=f"{check.home.name}安全隐患整改：{description}"[:200],
        area_code=check.area_id, handling_level=Task.Level.COMMUNITY,
        deadline=timezone.make_aware(datetime.combine(deadline, time(18))), source_type=HAZARD_SOURCE,
        source_id=hazard.pk, detail={"home": check.home_id, "check": check.pk})
    hazard.save(update_fields=["task"])
    return hazard


def hazard_close(*, acting_user, hazard: Hazard, note: str, evidence: dict) -> Task:
    """隐患销号: only with evidence of the rectification (photos, documents)."""
    if not evidence or not isinstance(evidence, dict):
        raise ValidationError({"evidence": ["隐患整改销号须附整改佐证材料"]})
    return task_close(acting_user=acting_user, task=hazard.task, outcome=Task.Outcome.CONFIRMED, note=note,
                      evidence=evidence)
