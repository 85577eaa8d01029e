"""名册比对 (roster refresh): who is on the special-difficulty elderly roster, kept up to date from the registry.

Set-based: one UPDATE recomputes every existing row's flags and community, one INSERT … SELECT adds the people
who now qualify, one UPDATE sets who is on the roster now — whatever the number of people; idempotent (a second
run at the same moment changes nothing).

How the categories are derived from the registry (household membership, `registry.HouseholdMember`):
- 独居 (living alone): the person is an active member of a household with no other active member;
- 空巢 (empty nest): the household has two or more active members and every one of them is the head or the
  head's spouse (an elderly couple with no child, grandchild, parent or other relative living with them);
  disjoint from 独居;
- 残疾: a current disability record (`registry.Disability`, is_current);
- 高龄: aged `carevisits_very_old_age` (80) or more today;
- 低保 / 特困: an open enrolment (正常享受 or 渐退) in the programme, held by the person or by the household they
  are an active member of.
Only living residents (status 正常) aged `carevisits_min_age` (60) or more are on the roster — not someone known
here only through 急难发生地救助 (户籍 elsewhere, no household here); a manual entry
(人工纳入, with a reason) stays while that holds.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from audit.services import change_log_bulk_create
from carevisits import parameters
from carevisits.models import CATEGORY_FLAGS, RosterEntry
from minzheng.dates import years_before
from minzheng.sql import on_conflict_nothing, tune_transaction
from programs.models import OPEN_STATUSES, Enrolment
from registry.facts import nonresidents_without_household
from registry.models import Disability, HouseholdMember, Person, Relation

# The programmes of the 低保 and 特困 categories (the roster's own definition, not a payroll table).
ASSISTANCE_FLAGS = {"dibao": "dibao", "tekun": "tekun"}
COUPLE = (Relation.HEAD, Relation.SPOUSE)


@dataclass
class RefreshResult:
    added: int
    updated: int
    on_roster: int


def _flags(person_ref: str, today: date) -> dict:
    """The category expressions for the person at `person_ref` (an OuterRef name)."""
    person = OuterRef(person_ref)
    mine = HouseholdMember.objects.filter(person_id=person, is_active=True)
    others = HouseholdMember.objects.filter(household_id=OuterRef("household_id"), is_active=True).exclude(
        person_id=OuterRef("person_id"))
    not_couple = HouseholdMember.objects.filter(household_id=OuterRef("household_id"), is_active=True).exclude(
        relation__in=COUPLE)
    very_old = years_before(today, parameters.value(parameters.VERY_OLD_AGE, today))
    flags = {
        "living_alone": Exists(mine.filter(~Exists(others))),
        "empty_nest": Exists(mine.filter(Exists(others), ~Exists(not_couple))),
        "disabled": Exists(Disability.objects.filter(person_id=person, is_current=True)),
        "very_old": Exists(Person.objects.filter(pk=person, birth_date__lte=very_old)),
    }
    for flag, program in ASSISTANCE_FLAGS.items():
        held = Enrolment.objects.filter(program_id=program, status__in=OPEN_STATUSES)
        # Two EXISTS joined by OR, each an index probe (see monitoring.conditions._enrolled_q for the measurement).
        flags[flag] = (Q(Exists(held.filter(person_id=person)))
                       | Q(Exists(mine.filter(Exists(held.filter(household_id=OuterRef("household_id")))))))
    return {name: ExpressionWrapper(Q(expression), output_field=BooleanField()) for name, expression in flags.items()}


def eligible_persons(today: date) -> QuerySet[Person]:
    """Living residents aged 60+ today (the roster's population): not those known here only through an emergency
    (户籍 elsewhere, no household here: registry.facts.nonresidents_without_household)."""
    cutoff = years_before(today, parameters.value(parameters.MIN_AGE, today))
    return (Person.objects.filter(status=Person.Status.ACTIVE, birth_date__lte=cutoff)
            .exclude(pk__in=nonresidents_without_household(today)))


def _insert_new(today: date, now) -> int:
    """INSERT … SELECT the people who qualify today and have no roster row."""
    flags = _flags("pk", today)
    any_flag = Q()
    for expression in flags.values():
        any_flag |= Q(expression.expression)
    candidates = (eligible_persons(today).filter(any_flag).filter(~Exists(RosterEntry.objects.filter(
        person_id=OuterRef("pk")))).annotate(**{f"f_{k}": v for k, v in flags.items()})
        .values_list("pk", "area_id", *[f"f_{k}" for k in flags]))
    select, params = candidates.query.sql_with_params()
    columns = ["person_id", "area_id", *flags, "active", "manual", "manual_reason", "created_at", "refreshed_at"]
    # The compiled SELECT is named as a CTE and the fixed columns added around it (the same text on both databases;
    # "WHERE true" keeps SQLite from reading ON CONFLICT as part of a join).
    inner = ", ".join(f"c{i}" for i in range(2 + len(flags)))
    sql = (f"WITH picked ({inner}) AS ({select}) INSERT INTO {RosterEntry._meta.db_table} ({', '.join(columns)}) "
           f"SELECT {inner}, %s, %s, '', %s, %s FROM picked WHERE true {on_conflict_nothing()}")
    with connection.cursor() as cursor:
        stamp = connection.ops.adapt_datetimefield_value(now)  # as the ORM writes it (SQLite: naive UTC text)
        cursor.execute(sql, [*params, True, False, stamp, stamp])
    # Counted, not cursor.rowcount: SQLite reports -1 for an INSERT that starts with WITH.
    return RosterEntry.objects.filter(created_at=now).count()


@transaction.atomic
def roster_refresh(*, today: date | None = None, acting_user=None) -> RefreshResult:
    """名册比对: recompute every roster row's categories from the registry, add the newly qualifying people, and
    set who is on the roster now (an entry leaves when nothing qualifies it any longer, or on death or moving out).
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    with connection.cursor() as cursor:
        # The planner's cost for the EXISTS of the flags is far above the JIT threshold: compiling them took 6.5 s
        # of a 6.8 s refresh at 20,000 people (bench/carevisits.py). Off for this transaction only.
        tune_transaction(cursor)
    updated = RosterEntry.objects.update(
        refreshed_at=now, **_flags("person_id", today),
        area_id=Person.objects.filter(pk=OuterRef("person_id")).values("area_id")[:1])
    added = _insert_new(today, now)
    qualifies = Q(manual=True)
    for flag in CATEGORY_FLAGS:
        qualifies |= Q(**{flag: True})
    eligible = Q(Exists(eligible_persons(today).filter(pk=OuterRef("person_id")))) & qualifies
    RosterEntry.objects.filter(eligible, active=False).update(active=True, left_at=None)
    RosterEntry.objects.filter(~eligible, active=True).update(active=False, left_at=now)
    if added:
        new = RosterEntry.objects.filter(created_at=now).values_list("pk", "person_id")
        change_log_bulk_create(model=RosterEntry, rows=[(str(pk), f"名册 · {person}", {"person_id": person})
                                                        for pk, person in new], acting_user=acting_user,
                               reason="名册比对：符合特殊困难老年人条件")
    from carevisits.selectors import Week  # the roster is below the selectors; imported here, not at the top
    from carevisits.snapshot import compliance_snapshot_refresh

    compliance_snapshot_refresh(week=Week.of(today))
    return RefreshResult(added=added, updated=updated, on_roster=RosterEntry.objects.filter(active=True).count())
