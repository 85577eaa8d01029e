"""A child's category is recognised through `POST /api/applications/` and the same step endpoints as 低保:
accepted by the town, reviewed by the town (the quote decides), confirmed by the district, with the deadlines
of the programme's own parameters; the allowance's amount is the parameter in force; the eligibility refuses
with the rule that failed, a child turning 18 on the very day judged included."""

from datetime import date
from decimal import Decimal

import pytest

from assistance.models import Recheck
from children.services import parent_situation_end
from programs.calculations import quote
from programs.models import Enrolment, PolicyParameter
from registry.services import person_record_death
from tests.assistance.conftest import working_days_after

pytestmark = pytest.mark.django_db

# RULES.md §4: 集中供养孤儿 1825 (渝民发〔2024〕9号); 散居 and 事实无人抚养 in 2021: 1277 / 1225 (渝民〔2021〕143号).
ORPHAN_CENTRAL_2024, ORPHAN_DISPERSED_2021, DE_FACTO_2021 = Decimal("1825"), Decimal("1277"), Decimal("1225")


def test_de_facto_recognition_runs_through_the_application_api(api, kids, clock):
    _, _, child, _ = kids.child("小明", "20150601", reasons=("imprisoned", "seriously_ill"))
    case = api.submit("community_worker", {"program": "de_facto_unattended", "person": child.pk})
    cid = case["id"]
    assert case["status"] == "submitted"
    listed = api.get("town_officer", "/api/applications/?program=de_facto_unattended")
    assert [row["id"] for row in listed["results"]] == [cid]
    case = api.step("town_officer", cid, "accept", {})
    # the town's limit is the programme's own parameter (15 working days), not the 低保 default
    assert case["deadlines"]["town_review_due"] == working_days_after(date(2026, 3, 2), 15).isoformat()
    # a step the workflow omits is refused by name
    api.step("town_officer", cid, "publish", {}, expect=400)
    clock.set(date(2026, 3, 4))
    case = api.step("town_reviewer", cid, "review", {"opinion": "agree"})
    assert case["deadlines"]["confirmation_due"] == working_days_after(date(2026, 3, 4), 15).isoformat()
    rate = PolicyParameter.objects.get(program_id="de_facto_unattended", key="de_facto_standard",
                                       valid_to__isnull=True).value
    assert Decimal(case["monthly_amount"]) == rate
    # the town reviewer may not confirm; the district approver does
    case = api.step("district_approver", cid, "confirm", {})
    assert case["status"] == "confirmed"
    enrolment = Enrolment.objects.get(pk=case["enrolment"])
    assert (enrolment.person_id, enrolment.monthly_amount, enrolment.start_month) == (
        child.pk, rate, date(2026, 4, 1))  # from the month after confirmation
    # the yearly re-check is scheduled 12 months on
    recheck = Recheck.objects.get(enrolment=enrolment)
    assert recheck.due_on == date(2027, 4, 1)


def test_a_review_refuses_a_child_who_does_not_qualify(api, kids):
    _, _, child, _ = kids.child("小红", "20150601", reasons=("imprisoned", "working_away"))
    cid = api.submit("community_worker", {"program": "de_facto_unattended", "person": child.pk})["id"]
    api.step("town_officer", cid, "accept", {})
    refused = api.step("town_reviewer", cid, "review", {"opinion": "agree"}, expect=400)
    assert "事实无人抚养儿童须父母双方均符合" in refused["opinion"][0]


def test_orphan_amount_by_placement_and_year(kids):
    _, _, child, _ = kids.child("小刚", "20120301", reasons=("dead", "declared_missing"), placement="institution")
    central = quote(program="orphan", person=child, month=date(2025, 1, 1))
    assert central.eligible and central.monthly_amount == ORPHAN_CENTRAL_2024
    dispersed = quote(program="orphan", person=child, month=date(2022, 1, 1), support_mode="dispersed")
    assert dispersed.monthly_amount == ORPHAN_DISPERSED_2021
    # a later figure not found is flagged unverified in the quote
    assert quote(program="orphan", person=child, month=date(2025, 1, 1), support_mode="dispersed").unverified
    de_facto = quote(program="de_facto_unattended", person=child, month=date(2022, 1, 1))
    assert not de_facto.eligible and "父母均已死亡或失踪，应按孤儿认定" in de_facto.reasons


def test_the_day_a_child_turns_18(kids):
    _, _, child, file = kids.child("小芳", "20080401", reasons=("imprisoned", "severely_disabled"))
    before = quote(program="de_facto_unattended", person=child, month=date(2026, 3, 1))
    assert before.eligible and before.monthly_amount == Decimal("1573")  # the placeholder figure in force
    on_birthday = quote(program="de_facto_unattended", person=child, month=date(2026, 4, 1))
    assert not on_birthday.eligible
    assert on_birthday.reasons == ["已满18周岁（2026-04-01时18周岁），不属于儿童"]
    # in full-time education the allowance continues (parameter continue_in_education = 1, unverified)
    file.full_time_education = True
    file.save()
    studying = quote(program="de_facto_unattended", person=child, month=date(2026, 4, 1))
    assert studying.eligible and studying.unverified
    # … but not the recognition-only categories
    file.categories = ["hardship_child"]
    file.save()
    assert not quote(program="hardship_child", person=child, month=date(2026, 4, 1)).eligible
    assert quote(program="hardship_child", person=child, month=date(2026, 3, 1)).eligible


def test_orphan_death_must_be_the_registrys(kids, staff, families):
    father = families.person("父亲")
    _, _, child, file = kids.child("小军", "20140101")
    from children.services import parent_situation_record
    parent_situation_record(acting_user=staff["district_officer"], file=file, role="father", reason="dead",
                            evidence="死亡证明", since=date(2024, 1, 1), parent=father)
    parent_situation_record(acting_user=staff["district_officer"], file=file, role="mother",
                            reason="declared_missing", evidence="判决书", since=date(2024, 1, 1))
    refused = quote(program="orphan", person=child, month=date(2026, 3, 1))
    assert f"父亲登记为死亡，但人口库中{father.name}未登记死亡" in refused.reasons
    person_record_death(acting_user=staff["district_officer"], person=father, death_date=date(2024, 1, 1))
    assert quote(program="orphan", person=child, month=date(2026, 3, 1)).eligible


def test_a_parent_released_brings_the_recheck_forward(api, kids, clock, staff):
    _, _, child, file = kids.child("小丽", "20150601", reasons=("imprisoned", "seriously_ill"))
    cid = api.submit("community_worker", {"program": "de_facto_unattended", "person": child.pk})["id"]
    api.step("town_officer", cid, "accept", {})
    api.step("town_reviewer", cid, "review", {"opinion": "agree"})
    enrolment = Enrolment.objects.get(pk=api.step("district_approver", cid, "confirm", {})["enrolment"])
    clock.set(date(2026, 5, 6))
    situation = file.situations.get(role="father")
    assert parent_situation_end(acting_user=staff["town_officer"], situation=situation,
                                ended_on=date(2026, 5, 1), note="刑满释放") == 1
    recheck = Recheck.objects.get(enrolment=enrolment, status="due")
    assert recheck.due_on == date(2026, 5, 6)
    # the re-check's quote now refuses: the father is no longer in a qualifying situation
    result = quote(program="de_facto_unattended", person=child, month=date(2026, 6, 1))
    assert not result.eligible
