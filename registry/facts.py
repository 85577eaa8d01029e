"""Person facts with history (人员情况): 户籍地, 婚姻状况, 劳动能力, 就业状况, 重特大疾病.

Writes: `person_fact_record` (one fact, closing the open one of the same kind the day before) and
`person_facts_record_bulk` (import and department feeds: the same rule for many people, no grant check of its own —
the caller's import or feed run checked it). Reads: `fact_on`, `facts_on`, `has_chongqing_hukou`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.policy import allowed, area_in_scope
from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from registry.models import FACT_CHOICES, HouseholdMember, Person, PersonFact

Kind = PersonFact.Kind
# 重庆市 (province-level code 50): 户籍地 codes starting with it are 重庆户籍.
CHONGQING_PREFIX = "50"


def hukou_place_code(value: str) -> str:
    """A 户籍地 as a 12-digit division code; a 6- or 9-digit code (区县, 乡镇) is padded with zeros."""
    code = (value or "").strip()
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise ValidationError({"value": ["户籍地应为6位、9位或12位区划代码"]})
    code = code.ljust(12, "0")
    if code[:2] < "11" or code[:2] > "82" or code[2:6] == "0000":
        raise ValidationError({"value": [f"户籍地区划代码不正确：{value}（应至少到区县一级）"]})
    return code


def fact_value_clean(kind: str, value: str, diagnosed_on: date | None = None) -> str:
    """The stored value of a fact of this kind, or a ValidationError naming the field."""
    if kind not in Kind.values:
        raise ValidationError({"kind": [f"人员情况类别不正确：{kind}"]})
    if kind == Kind.HUKOU_PLACE:
        return hukou_place_code(value)
    choices = FACT_CHOICES.get(kind)
    if choices is not None:
        by_label = {str(label): code for code, label in choices.choices}
        value = by_label.get((value or "").strip(), (value or "").strip())
        if value not in choices.values:
            raise ValidationError({"value": [f"{Kind(kind).label}应为：{'、'.join(by_label)}"]})
        return value
    value = (value or "").strip()  # 重特大疾病: the disease's name and its diagnosis date
    if not value:
        raise ValidationError({"value": ["请填写病种名称"]})
    if diagnosed_on is None:
        raise ValidationError({"diagnosed_on": ["请填写确诊日期"]})
    return value[:100]


@dataclass(frozen=True)
class FactInput:
    """One fact to record for one person (import rows and feed records)."""

    person_id: int
    kind: str
    value: str
    valid_from: date
    diagnosed_on: date | None = None


@transaction.atomic
def person_fact_record(*, acting_user, person: Person, kind: str, value: str, valid_from: date,
                       diagnosed_on: date | None = None, source: str = "登记") -> PersonFact:
    """登记人员情况: from `valid_from` on, the person's `kind` is `value`; the open fact of that kind ends the day
    before. The same value again changes nothing; a date not after the open fact's start is refused (a
    correction of history is a separate action, not this one)."""
    if not allowed(acting_user, "person", "change"):
        raise PermissionDenied("无此操作权限")
    if not area_in_scope(acting_user, person.area_id):
        raise PermissionDenied("该人员不在您的管辖范围内")
    value = fact_value_clean(kind, value, diagnosed_on)
    if valid_from > date.today():
        raise ValidationError({"valid_from": ["起始日期不能晚于今天"]})
    fact, _ = _record(person=person, item=FactInput(person.pk, kind, value, valid_from, diagnosed_on),
                      source=source, acting_user=acting_user)
    return fact


def _record(*, person: Person, item: FactInput, source: str, acting_user) -> tuple[PersonFact, bool]:
    """Record one clean fact; (the fact now open, whether a row was written)."""
    current = (PersonFact.objects.select_for_update()
               .filter(person_id=person.pk, kind=item.kind, valid_to__isnull=True).first())
    if current is not None and current.value == item.value and current.diagnosed_on == item.diagnosed_on:
        return current, False
    if current is not None:
        if item.valid_from <= current.valid_from:
            raise ValidationError({"valid_from": [
                f"起始日期应晚于现有{Kind(item.kind).label}的起始日期（{current.valid_from:%Y-%m-%d}）"]})
        _close(fact=current, on=item.valid_from - timedelta(days=1), acting_user=acting_user)
    fact = PersonFact.objects.create(person_id=person.pk, kind=item.kind, value=item.value,
                                     diagnosed_on=item.diagnosed_on, valid_from=item.valid_from,
                                     source=source, area_id=person.area_id)
    change_log_write(instance=fact, action=ChangeLog.Action.CREATE, before=None, after=snapshot(fact),
                     acting_user=acting_user, reason=source)
    domain_event_write(type=EventType.PERSON_FACT_RECORDED, person=person, subject=fact, acting_user=acting_user,
                       message=f"{fact}（自 {fact.valid_from:%Y-%m-%d}）",
                       params={"kind": fact.kind, "source": source})
    return fact, True


def _close(*, fact: PersonFact, on: date, acting_user, reason: str = "") -> None:
    before = snapshot(fact)
    fact.valid_to = on
    fact.save(update_fields=["valid_to"])
    change_log_write(instance=fact, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(fact),
                     acting_user=acting_user, reason=reason)


@transaction.atomic
def person_fact_end(*, acting_user, fact: PersonFact, on: date, reason: str = "") -> PersonFact:
    """人员情况终止 (治愈, 不再就业 …): the fact holds until `on` inclusive."""
    if not allowed(acting_user, "person", "change") or not area_in_scope(acting_user, fact.area_id):
        raise PermissionDenied("无此操作权限")
    if fact.valid_to is not None:
        raise ValidationError({"valid_to": ["该情况已终止"]})
    if on < fact.valid_from:
        raise ValidationError({"valid_to": ["截止日期不能早于起始日期"]})
    _close(fact=fact, on=on, acting_user=acting_user, reason=reason)
    return fact


def person_facts_record_bulk(*, items: Iterable[FactInput], source: str, acting_user) -> dict[str, int]:
    """Record many facts (staged import, department feeds). The caller has checked the grant and scope of the
    run. A fact equal to the open one, or dated not after it, is skipped (feeds resend; a late file is not
    allowed to rewrite newer history). Returns {"recorded": n, "skipped": m}."""
    items = list(items)
    people = Person.objects.in_bulk({i.person_id for i in items})
    recorded = skipped = 0
    with transaction.atomic():
        for item in sorted(items, key=lambda i: (i.person_id, i.kind, i.valid_from)):
            person = people.get(item.person_id)
            changed = False
            if person is not None:
                try:
                    value = fact_value_clean(item.kind, item.value, item.diagnosed_on)
                    with transaction.atomic():
                        _, changed = _record(person=person, source=source, acting_user=acting_user,
                                             item=FactInput(person.pk, item.kind, value, item.valid_from,
                                                            item.diagnosed_on))
                except ValidationError:
                    changed = False
            recorded, skipped = (recorded + 1, skipped) if changed else (recorded, skipped + 1)
    return {"recorded": recorded, "skipped": skipped}


# --- reads (selectors): "as of a date" ---


def _on(on: date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def fact_on(person: Person | int, kind: str, on: date) -> PersonFact | None:
    """The fact of this kind that held for the person on that day, if any."""
    person_id = getattr(person, "pk", person)
    return PersonFact.objects.filter(_on(on), person_id=person_id, kind=kind).order_by("-valid_from").first()


def facts_on(person_ids: Iterable[int], kind: str, on: date) -> dict[int, PersonFact]:
    """The facts of one kind for many people on that day (one query): {person_id: fact}."""
    rows = PersonFact.objects.filter(_on(on), person_id__in=list(person_ids), kind=kind).order_by("valid_from")
    return {fact.person_id: fact for fact in rows}


def has_hukou_in(person: Person | int, prefix: str, on: date) -> bool:
    """户籍地 within the division whose code starts with `prefix` on that day (no recorded 户籍地: False)."""
    fact = fact_on(person, Kind.HUKOU_PLACE, on)
    return fact is not None and fact.value.startswith(prefix)


def has_chongqing_hukou(person: Person | int, on: date) -> bool:
    """重庆户籍 on that day: the 户籍地 code starts with 50 (高龄津贴, 残疾人两项补贴 require it)."""
    return has_hukou_in(person, CHONGQING_PREFIX, on)


def chongqing_hukou_ids(person_ids: Iterable[int], on: date) -> set[int]:
    """Of these people, those with 重庆户籍 on that day (one query, for set-based programme checks)."""
    facts = facts_on(person_ids, Kind.HUKOU_PLACE, on)
    return {pid for pid, fact in facts.items() if fact.value.startswith(CHONGQING_PREFIX)}


def has_serious_illness(person: Person | int, on: date) -> bool:
    """重特大疾病 diagnosed and recorded as holding on that day."""
    fact = fact_on(person, Kind.SERIOUS_ILLNESS, on)
    return fact is not None and (fact.diagnosed_on is None or fact.diagnosed_on <= on)


def labour_capacity_on(person: Person | int, on: date) -> str:
    """劳动能力 on that day (a LabourCapacity value), or "" when none is recorded."""
    fact = fact_on(person, Kind.LABOUR, on)
    return fact.value if fact else ""


def hukou_outside_chongqing(on: date) -> QuerySet:
    """The people whose recorded 户籍地 on that day lies outside Chongqing, as a `person_id` values queryset (a
    subquery for set-based checks). Someone with no 户籍地 recorded is not in it: the registry's residents are
    taken as registered here unless a record (an officer's, the 户籍 feed's 迁出) says otherwise."""
    return (PersonFact.objects.filter(_on(on), kind=Kind.HUKOU_PLACE).exclude(value__startswith=CHONGQING_PREFIX)
            .values("person_id"))


def nonresidents_without_household(on: date) -> QuerySet:
    """People known to the district only through an emergency where it happened (急难发生地救助,
    assistance.nonresident): 户籍地 recorded outside the district on that day and no active household membership
    here. A `person_id` values queryset (a subquery), so the jobs that walk the district's residents (探访关爱名册,
    免申即享) leave them out; a migrant with a household registered here is a resident and stays in."""
    member = HouseholdMember.objects.filter(person_id=OuterRef("person_id"), is_active=True)
    return (PersonFact.objects.filter(_on(on), kind=Kind.HUKOU_PLACE)
            .exclude(value__startswith=settings.MINZHENG_DISTRICT_CODE).filter(~Exists(member)).values("person_id"))


def hukou_outside_chongqing_text(person: Person | int, on: date) -> str:
    """The refusal for one person ("" when their recorded 户籍地 is in Chongqing or none is recorded)."""
    fact = fact_on(person, Kind.HUKOU_PLACE, on)
    if fact is None or fact.value.startswith(CHONGQING_PREFIX):
        return ""
    return f"户籍地（{fact.value_label}）不在重庆市，本补贴限重庆市户籍人员"
