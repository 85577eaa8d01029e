"""两项补贴全覆盖: the coverage lists on a crafted registry, the set-based check agreeing with the quote, the monthly
check's warnings (never twice), 免申即享 where the district chose it, and the rate (enrolled ÷ eligible)."""

from datetime import date
from decimal import Decimal

import pytest

from disability.coverage import (
    coverage,
    coverage_by_community,
    coverage_by_town,
    eligible,
    ineligible_enrolled,
    ineligible_reason,
    missing,
)
from disability.services import coverage_check_run
from monitoring.models import Warning
from programs.calculations import quote
from programs.models import Enrolment, PolicyParameter
from programs.services import enrolment_end
from registry.models import Person
from tasks.models import Task
from tests.disability.conftest import FEB_2026

pytestmark = pytest.mark.django_db
LIVING, CARE = "disability_living", "disability_care"


@pytest.fixture
def registry(make, areas):
    """Ten people, each one case of the rules (see the names)."""
    people = {}

    def dibao_member(name, area=None):
        household, members = make.household(1, area=area)
        make.dibao(household)
        members[0].name = name
        Person.objects.filter(pk=members[0].pk).update(name=name)
        people[name] = members[0]
        return household, members[0]

    def single(name, area=None, birth="19800101"):
        people[name] = make.person(name, birth=birth, area=area)
        return people[name]

    _, a = dibao_member("低保一级未享")
    make.certificate(a, 1)
    _, b = dibao_member("低保三级未享")
    make.certificate(b, 3)
    make.certificate(single("非低保二级未享"), 2)
    make.certificate(single("非低保四级"), 4)
    _, e = dibao_member("低保二级两项已享")
    make.certificate(e, 2)
    make.enrol(LIVING, e, FEB_2026)
    make.enrol(CARE, e, FEB_2026)
    f = single("护理已享后降为三级")
    make.certificate(f, 2)
    make.enrol(CARE, f, FEB_2026)
    make.certificate(f, 3)
    _, g = dibao_member("生活补贴已享后退出低保")
    make.certificate(g, 4)
    make.enrol(LIVING, g, FEB_2026)
    dibao = Enrolment.objects.get(program_id="dibao", person=g)
    enrolment_end(acting_user=make.approver, enrolment=dibao, reason="收入超过标准", effective_month=FEB_2026)
    h = single("特困一级", birth="19450101")
    make.enrol("tekun", h, FEB_2026, care_level="full", no_supporter=True)
    make.certificate(h, 1)
    make.certificate(single("B街道一级未享", area=areas["community_b"]), 1)
    expired = make.certificate(single("证件失效一级"), 1)
    expired.is_current = False
    expired.save(update_fields=["is_current"])
    return people


def names(rows):
    return sorted(row.name for row in rows)


def test_the_lists_on_a_crafted_registry(registry, areas):
    town_a = areas["town_a"][:9]
    assert names(missing(LIVING, FEB_2026, town_a)) == ["低保一级未享", "低保三级未享"]
    assert names(missing(CARE, FEB_2026, town_a)) == ["低保一级未享", "非低保二级未享"]
    assert names(missing(CARE, FEB_2026, "500106")) == ["B街道一级未享", "低保一级未享", "非低保二级未享"]
    stale = {e.person.name: ineligible_reason(e.program_id, e) for e in ineligible_enrolled(LIVING, FEB_2026, town_a)}
    assert stale == {"生活补贴已享后退出低保": "已不在低保家庭"}
    stale = {e.person.name: ineligible_reason(e.program_id, e) for e in ineligible_enrolled(CARE, FEB_2026, town_a)}
    assert stale == {"护理已享后降为三级": "残疾等级已调整为三级或四级"}
    # eligible: the missing plus those enrolled and still eligible
    assert names(eligible(CARE, FEB_2026, town_a)) == ["低保一级未享", "低保二级两项已享", "非低保二级未享"]


def test_the_set_based_check_agrees_with_the_quote_for_everybody(registry):
    for code in (LIVING, CARE):
        listed = set(eligible(code, FEB_2026).values_list("pk", flat=True))
        for person in registry.values():
            person.refresh_from_db()
            assert (person.pk in listed) == quote(program=code, person=person, month=FEB_2026).eligible, \
                (code, person.name)


def test_the_rate_is_enrolled_over_eligible_by_town_and_community(registry, areas):
    result = coverage(CARE, FEB_2026, areas["town_a"][:9])
    # eligible for care in town A: 低保一级未享, 非低保二级未享, 低保二级两项已享 (enrolled) → 1 / 3
    assert (result.enrolled, result.eligible, result.rate) == (1, 3, round(1 / 3, 4))
    towns = coverage_by_town(CARE, FEB_2026, "500106")
    assert towns == {areas["town_a"]: (1, 3), areas["town_b"]: (0, 1)}
    assert coverage_by_community(CARE, FEB_2026, "500106")[areas["community_b"]] == (0, 1)
    assert coverage(CARE, FEB_2026, "500106999").rate is None  # nobody eligible: no rate


def test_the_monthly_check_warns_once_and_rechecks(registry, areas):
    first = coverage_check_run(month=FEB_2026)
    assert first["programs"][LIVING] == {"auto_enrolled": 0, "auto_refused": 0, "warned": 2, "rechecks": 1}
    assert first["programs"][CARE] == {"auto_enrolled": 0, "auto_refused": 0, "warned": 3, "rechecks": 1}
    again = coverage_check_run(month=FEB_2026)
    assert all(v == {"auto_enrolled": 0, "auto_refused": 0, "warned": 0, "rechecks": 0}
               for v in again["programs"].values())
    next_month = coverage_check_run(month=date(2026, 3, 1))  # the warnings are still open: nothing new
    assert all(v["warned"] == 0 and v["rechecks"] == 0 for v in next_month["programs"].values())
    warning = Warning.objects.get(rule__code="disability_care_missing", person=registry["B街道一级未享"])
    assert (warning.warning_type, warning.area_id, warning.dept_record_id) == ("possibly_eligible",
                                                                              areas["community_b"], None)
    task = Task.objects.get(source_type="monitoring.warning", source_id=warning.pk)
    assert task.assigned_area_id == areas["community_b"]  # the community worker's queue
    recheck = Warning.objects.get(rule__code="disability_care_recheck")
    assert recheck.person == registry["护理已享后降为三级"]
    assert Task.objects.get(source_id=recheck.pk, source_type="monitoring.warning").assigned_area_id == areas["town_a"]


def test_free_of_application_where_the_district_chooses_it(registry, areas):
    PolicyParameter.objects.create(program_id=CARE, key="auto_enrol", area_code=areas["town_b"], value=Decimal(1),
                                   valid_from=date(2026, 1, 1), source="测试：B街道选择免申即享")
    result = coverage_check_run(month=FEB_2026)
    assert result["programs"][CARE]["auto_enrolled"] == 1 and result["programs"][CARE]["warned"] == 2
    enrolment = Enrolment.objects.get(program_id=CARE, person=registry["B街道一级未享"])
    assert (enrolment.status, enrolment.monthly_amount, enrolment.start_month) == ("active", Decimal(110), FEB_2026)
    assert not Warning.objects.filter(rule__code="disability_care_missing", person=registry["B街道一级未享"]).exists()
    assert coverage(CARE, FEB_2026, areas["town_b"][:9]).rate == 1.0


def test_the_coverage_api_masks_ids_and_keeps_to_the_users_area(registry, areas, personas):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user=personas["town_officer"])  # town A
    response = api.get("/api/coverage/disability/", {"area": areas["town_a"], "month": "2026-02"})
    assert response.status_code == 200, response.content
    body = response.json()
    # living: eligible 低保一级未享, 低保三级未享, 低保二级两项已享 (1 enrolled); care: 3 eligible, 1 enrolled
    assert (body["eligible"], body["enrolled"], body["rate"]) == (6, 2, round(2 / 6, 4))
    assert body["programs"]["disability_care"]["rate"] == round(1 / 3, 4)
    assert sorted((r["name"], r["program"]) for r in body["missing"]) == [
        ("低保一级未享", CARE), ("低保一级未享", LIVING), ("低保三级未享", LIVING), ("非低保二级未享", CARE)]
    person = registry["低保一级未享"]
    row = next(r for r in body["missing"] if r["person"] == person.pk)
    assert row["id_number"] != person.id_number and row["id_number"].endswith(person.id_number[-4:])
    assert "*" in row["id_number"]
    assert {(r["name"], r["reason"]) for r in body["ineligible_enrolled"]} == {
        ("生活补贴已享后退出低保", "已不在低保家庭"), ("护理已享后降为三级", "残疾等级已调整为三级或四级")}
    assert api.get("/api/coverage/disability/", {"area": areas["town_b"], "month": "2026-02"}).status_code == 403
    assert api.get("/api/coverage/disability/", {"month": "2026-13"}).json().keys() == {"month"}
    assert "area" in api.get("/api/coverage/disability/", {"month": "2026-02", "area": "12"}).json()
    only = api.get("/api/coverage/disability/", {"month": "2026-02", "program": CARE}).json()
    assert only["area"] == areas["town_a"] and {r["program"] for r in only["missing"]} == {CARE}
    worker = APIClient()
    worker.force_authenticate(user=personas["community_worker"])
    mine = worker.get("/api/coverage/disability/", {"month": "2026-02"}).json()
    assert mine["area"] == areas["community_a"]


def test_the_cl_feed_finds_a_holder_and_the_monthly_check_does_not_warn_twice(registry, make, personas,
                                                                               django_capture_on_commit_callbacks):
    from monitoring.services import feed_batch_upload
    from tests.monitoring.conftest import feed_csv

    person = registry["非低保二级未享"]
    content = feed_csv("disability", [{"id_number": person.id_number, "name": person.name,
                                       "event_date": "2020-06-01", "certificate": f"{person.id_number}42",
                                       "category": "肢体残疾", "grade": "二级"}])
    with django_capture_on_commit_callbacks(execute=True):
        batch = feed_batch_upload(acting_user=personas["district_officer"], feed_type="disability",
                                  filename="cl.csv", content=content, period="2026-02")
    batch.refresh_from_db()
    assert batch.status == "done", batch.__dict__
    assert Warning.objects.filter(rule__code="disability_feed_care_missing", person=person).count() == 1
    coverage_check_run(month=FEB_2026)
    assert not Warning.objects.filter(rule__code="disability_care_missing", person=person).exists()
    assert Warning.objects.filter(rule__code="disability_care_missing").count() == 2  # the two others
