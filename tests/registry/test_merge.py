"""重复登记合并: two records of one resident (one with an ID number, one without) become one, keeping every link
(found from Person's relations) and the history of both."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import ChangeLog, DomainEvent
from casework.models import Case
from payments.models import PaymentCycle, PaymentLine
from programs.models import Enrolment
from registry.facts import fact_on, person_fact_record
from registry.merge import person_link_counts, person_links, person_merge
from registry.models import Person, PersonFact
from registry.services import disability_record, household_create, income_add, person_create
from tests.conftest import make_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(personas, areas):
    """李明 with his ID number (alone in a household) and 李明 registered by name only, with a life of his own:
    a household, an income, a disability, a fact, a case, two enrolments and their payments."""
    officer = personas["district_officer"]
    keep = person_create(acting_user=officer, name="李明", area_code=areas["community_a"],
                         id_number=make_id("500106", "19600301", 41))
    remove = person_create(acting_user=officer, name="李明", area_code=areas["community_a"], no_id_reason="other",
                           phone="13900000000")
    household = household_create(acting_user=officer, area_code=areas["community_a"], hukou_type="rural",
                                 members=[{"person": remove, "relation": "head"}])
    income_add(acting_user=officer, household=household, person=remove, category="wage",
               monthly_amount=Decimal("300"), start_month=date(2026, 1, 1))
    disability_record(acting_user=officer, person=remove, category="physical", grade=2)
    person_fact_record(acting_user=officer, person=remove, kind="marital", value="丧偶", valid_from=date(2020, 1, 1))
    person_fact_record(acting_user=officer, person=keep, kind="marital", value="已婚", valid_from=date(1985, 1, 1))
    tekun = Enrolment.objects.create(program_id="tekun", person=remove, household=household,
                                     area_id=areas["community_a"], monthly_amount=Decimal("1501.00"),
                                     start_month=date(2026, 1, 1))
    old = Enrolment.objects.create(program_id="linshi", person=remove, household=household,
                                   area_id=areas["community_a"], monthly_amount=Decimal("800.00"),
                                   start_month=date(2025, 6, 1), status="ended", end_month=date(2025, 6, 1))
    cycles = [PaymentCycle.objects.create(district_id=areas["district"], month=date(2026, m, 1), created_by=officer)
              for m in (1, 2)]
    lines = [PaymentLine.objects.create(cycle=c, enrolment=tekun, program_id="tekun", person=remove,
                                        household=household, area_id=areas["community_a"], month=c.month,
                                        covered_month=c.month, kind="regular", amount=Decimal("1501.00"))
             for c in cycles]
    case = Case.objects.create(workflow="tekun.chongqing", program_id="tekun", person=remove, applicant=remove,
                               household=household, area_id=areas["community_a"], state="confirmed",
                               submitted_by=officer, enrolment=tekun)
    return {"keep": keep, "remove": remove, "household": household, "enrolments": [tekun, old], "lines": lines,
            "case": case}


def test_every_key_to_person_is_found():
    found = {f"{r.related_model._meta.label_lower}.{r.field.name}" for r in person_links()}
    # hidden reverse relations (related_name="+") are links too
    assert {"programs.enrolment.person", "payments.paymentline.person", "casework.case.applicant",
            "audit.accesslog.person", "registry.householdmember.person", "monitoring.warning.person",
            "tasks.task.person", "registry.personfact.person"} <= found


def test_a_merge_keeps_every_enrolment_and_payment(twins, personas):
    keep, remove = twins["keep"], twins["remove"]
    before = person_link_counts(remove)
    person_merge(acting_user=personas["district_officer"], keep=keep, remove=remove, reason="经户籍核对为同一人")
    for enrolment in twins["enrolments"]:
        enrolment.refresh_from_db()
        assert enrolment.person_id == keep.pk
    assert set(PaymentLine.objects.filter(person=keep).values_list("pk", flat=True)) == {
        line.pk for line in twins["lines"]}
    assert sum(PaymentLine.objects.filter(person=keep).values_list("amount", flat=True)) == Decimal("3002.00")
    case = Case.objects.get(pk=twins["case"].pk)
    assert (case.person_id, case.applicant_id) == (keep.pk, keep.pk)
    assert keep.memberships.get(is_active=True).household == twins["household"]
    assert (keep.incomes.count(), keep.disabilities.count()) == (1, 1)
    assert person_link_counts(remove) == {}  # nothing left behind
    # every row counted before the merge is now the kept record's (events include the merge's own)
    after = person_link_counts(Person.objects.get(pk=keep.pk))
    for label, n in before.items():
        assert after[label] >= n, label


def test_the_removed_record_stays_and_both_histories_are_kept(twins, personas):
    keep, remove = twins["keep"], twins["remove"]
    person_merge(acting_user=personas["district_officer"], keep=keep, remove=remove, reason="经户籍核对为同一人")
    remove.refresh_from_db()
    keep.refresh_from_db()
    assert (remove.status, remove.merged_into_id) == ("merged", keep.pk)
    assert keep.phone == "13900000000"  # a value only the duplicate had
    assert ChangeLog.objects.filter(model="registry.person", object_id=str(remove.pk), action="create").exists()
    event = DomainEvent.objects.get(type="persons_merged")
    assert event.person_id == keep.pk and event.params["removed"] == remove.pk
    assert event.params["moved"]["programs.enrolment.person"] == 2
    # both had an open 婚姻状况: the duplicate's now ends the day before the kept one starts; history stays
    facts = PersonFact.objects.filter(person=keep, kind="marital").order_by("valid_from")
    assert [f.value for f in facts] == ["married", "widowed"]
    assert fact_on(keep, "marital", date(2026, 1, 1)).value == "married"


def test_the_id_number_of_the_duplicate_moves_to_the_kept_record(twins, personas):
    # keep the name-only record this time: the ID number (and birth date) move to it
    keep, remove = twins["remove"], twins["keep"]
    number = remove.id_number
    person_merge(acting_user=personas["district_officer"], keep=keep, remove=remove, reason="新生儿落户后合并")
    keep.refresh_from_db()
    assert (keep.id_number, keep.birth_date) == (number, date(1960, 3, 1))
    assert Person.objects.get(pk=remove.pk).id_number is None


def test_refusals(twins, personas, areas):
    keep, remove = twins["keep"], twins["remove"]
    with pytest.raises(PermissionDenied):  # a town officer may not merge
        person_merge(acting_user=personas["town_officer"], keep=keep, remove=remove, reason="x")
    with pytest.raises(ValidationError):
        person_merge(acting_user=personas["district_officer"], keep=keep, remove=remove, reason=" ")
    other = person_create(acting_user=personas["district_officer"], name="李明", area_code=areas["community_a"],
                          id_number=make_id("500106", "19600301", 42))
    with pytest.raises(ValidationError, match="都有身份证号"):
        person_merge(acting_user=personas["district_officer"], keep=keep, remove=other, reason="x")
    # both holding an open 特困 enrolment cannot be merged silently
    Enrolment.objects.create(program_id="tekun", person=keep, area_id=areas["community_a"],
                             monthly_amount=Decimal("1501.00"), start_month=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="不能并存"):
        person_merge(acting_user=personas["district_officer"], keep=keep, remove=remove, reason="x")
    assert Enrolment.objects.filter(person=remove).count() == 2  # nothing moved


def test_the_merge_page(client, twins, personas):
    keep, remove = twins["keep"], twins["remove"]
    client.force_login(personas["district_officer"])
    preview = client.get("/persons/merge/", {"keep": keep.pk, "remove": remove.pk}).content.decode()
    assert "享受记录" in preview and "programs.enrolment" not in preview and keep.id_number not in preview
    response = client.post("/persons/merge/", {"keep": keep.pk, "remove": remove.pk, "reason": "同一人"})
    assert response.status_code == 302 and Person.objects.get(pk=remove.pk).status == "merged"
    page = client.get(f"/persons/{remove.pk}/").content.decode()
    assert 'data-testid="merged-into"' in page
    client.force_login(personas["town_officer"])
    assert client.get("/persons/merge/").status_code == 403
