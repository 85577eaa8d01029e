"""重复登记合并 (de-duplication): two person records that are the same resident — typically one registered with
an ID number and one without (a newborn before 落户, someone registered by name at the place of an emergency) —
become one. Every link to the removed record (enrolments, payments, cases, memberships, incomes, disabilities,
facts, tasks, warnings, department records, events, access log …) is moved to the kept one; the removed record
stays, marked 已合并 with `merged_into`, so its own change log and the links' history remain readable.

The links are found from the model registry (`Person._meta`, hidden reverse relations included), not listed by
hand: an app that adds a key to Person is merged without a change here."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ForeignObjectRel

from accounts.policy import allowed, area_in_scope
from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from casework import clock
from registry.models import HouseholdMember, Person, PersonFact

MERGE_ACTION = "merge"


def person_links() -> list[ForeignObjectRel]:
    """Every relation of another model (or Person itself) that points at Person by a foreign key."""
    return [f for f in Person._meta.get_fields(include_hidden=True)
            if isinstance(f, ForeignObjectRel) and not f.many_to_many and f.field.concrete]


def _label(rel: ForeignObjectRel) -> str:
    return f"{rel.related_model._meta.label_lower}.{rel.field.name}"


def person_link_counts(person: Person) -> dict[str, int]:
    """How many rows of each kind point at the person (for the merge page's preview and the event)."""
    counts = {}
    for rel in person_links():
        n = rel.related_model._base_manager.filter(**{rel.field.name: person}).count()
        if n:
            counts[_label(rel)] = n
    return counts


def _check(acting_user, keep: Person, remove: Person) -> None:
    if not allowed(acting_user, "person", MERGE_ACTION):
        raise PermissionDenied("无合并人员的权限")
    if not (area_in_scope(acting_user, keep.area_id) and area_in_scope(acting_user, remove.area_id)):
        raise PermissionDenied("人员不在您的管辖范围内")
    if keep.pk == remove.pk:
        raise ValidationError({"remove": ["不能与自身合并"]})
    if Person.Status.MERGED in (keep.status, remove.status):
        raise ValidationError({"remove": ["已合并的人员不能再次合并"]})
    if keep.id_number and remove.id_number:
        raise ValidationError({"remove": ["两条记录都有身份证号，不是同一人的重复登记"]})
    if keep.birth_date and remove.birth_date and keep.birth_date != remove.birth_date:
        raise ValidationError({"remove": ["两条记录的出生日期不一致"]})
    homes = {m.household_id for m in HouseholdMember.objects.filter(person__in=[keep, remove], is_active=True)}
    if len(homes) > 1:
        raise ValidationError({"remove": ["两条记录分别是不同家庭的在户成员，请先办理其中一人离户"]})


def _settle_duplicates(*, keep: Person, remove: Person, acting_user) -> None:
    """What one person may hold once: both active in the same household → the removed membership ends; an open
    fact of a kind the kept record also has open → the removed one closes the day before the kept one starts."""
    today = clock.today()
    if HouseholdMember.objects.filter(person=keep, is_active=True).exists():
        for member in HouseholdMember.objects.filter(person=remove, is_active=True):
            before = snapshot(member)
            member.is_active, member.left_on = False, today
            member.save(update_fields=["is_active", "left_on"])
            change_log_write(instance=member, action=ChangeLog.Action.DEACTIVATE, before=before,
                             after=snapshot(member), acting_user=acting_user, reason="重复登记合并")
    kept_open = {f.kind: f for f in PersonFact.objects.filter(person=keep, valid_to__isnull=True)}
    for fact in PersonFact.objects.filter(person=remove, valid_to__isnull=True, kind__in=list(kept_open)):
        before = snapshot(fact)
        fact.valid_to = max(fact.valid_from, kept_open[fact.kind].valid_from - timedelta(days=1))
        fact.save(update_fields=["valid_to"])
        change_log_write(instance=fact, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(fact),
                         acting_user=acting_user, reason="重复登记合并")


def _move_links(*, keep: Person, remove: Person) -> dict[str, int]:
    moved = {}
    for rel in person_links():
        if rel.related_model is Person:  # records merged into the removed one follow it
            rows = Person._base_manager.filter(merged_into=remove).exclude(pk=keep.pk)
        else:
            rows = rel.related_model._base_manager.filter(**{rel.field.name: remove})
        try:
            with transaction.atomic():
                n = rows.update(**{rel.field.name: keep})
        except IntegrityError as exc:
            raise ValidationError({"remove": [
                f"两条记录有不能并存的{rel.related_model._meta.verbose_name}（如同一项目的两条在享记录），"
                "请先处理后再合并"]}) from exc
        if n:
            moved[_label(rel)] = n
    return moved


@transaction.atomic
def person_merge(*, acting_user, keep: Person, remove: Person, reason: str) -> Person:
    """合并重复登记: `remove`'s links move to `keep`; an ID number only `remove` has moves with them (with the
    birth date and sex it gives). `remove` stays as 已合并, pointing at `keep`."""
    keep, remove = (Person.objects.select_for_update().get(pk=p.pk) for p in (keep, remove))
    _check(acting_user, keep, remove)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请说明合并的依据（如户籍核对结果）"]})
    keep_before, remove_before = snapshot(keep), snapshot(remove)
    _settle_duplicates(keep=keep, remove=remove, acting_user=acting_user)
    moved = _move_links(keep=keep, remove=remove)
    number = remove.id_number
    remove.status, remove.merged_into = Person.Status.MERGED, keep
    if number:
        remove.id_number, remove.no_id_reason = None, Person.NoIdReason.OTHER
    remove.save()
    if number:
        keep.id_number, keep.birth_date, keep.sex, keep.no_id_reason = (number, remove.birth_date, remove.sex, "")
    for field in ("phone", "other_document", "birth_date", "sex"):
        if not getattr(keep, field) and getattr(remove, field):
            setattr(keep, field, getattr(remove, field))
    keep.save()
    for person, before in ((remove, remove_before), (keep, keep_before)):
        change_log_write(instance=person, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(person),
                         acting_user=acting_user, reason=f"重复登记合并：{reason}"[:200])
    domain_event_write(type=EventType.PERSONS_MERGED, person=keep, subject=keep, acting_user=acting_user,
                       message=f"合并重复登记：{remove.name}（人员{remove.pk}）并入本记录",
                       params={"kept": keep.pk, "removed": remove.pk, "moved": moved, "reason": reason,
                               "id_number_moved": bool(number)})
    return keep
