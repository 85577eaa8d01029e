"""Full journeys through the API: 低保 (urban, Chongqing rules), 特困 with a care level, 临时救助 急难型 approved
first by the town and completed afterwards, and a rejection with written reasons."""

from datetime import date, timedelta

import pytest

from audit.models import DomainEvent
from casework.models import CaseDocument
from programs.models import Enrolment
from tests.assistance.conftest import working_days_after

pytestmark = pytest.mark.django_db


def test_dibao_urban_chongqing_journey(api, staff, families, clock):
    household, (head, spouse) = families.household(["赵一", "钱二"])
    # given an application entered by the community worker on the family's behalf, with authorisation
    case = api.submit("community_worker", {"program": "dibao", "household": household.pk,
                                           "authorised_data_check": True, "channel": "worker"})
    assert (case["status"], case["deadline"], case["applicant_name"]) == ("submitted", None, "赵一")
    cid = case["id"]
    # when the town finds materials missing: one list of everything, then a later accept completes
    case = api.step("town_officer", cid, "accept", {"missing": ["户口簿复印件", "收入证明"]})
    assert case["status"] == "materials_requested" and case["missing_materials"] == ["户口簿复印件", "收入证明"]
    assert case["documents"][0]["kind"] == CaseDocument.Kind.MATERIALS_NOTICE
    again = api.step("town_officer", cid, "accept", {"missing": ["结婚证"]}, expect=400)
    assert "一次性告知" in again["missing"][0]
    case = api.step("town_officer", cid, "accept", {})
    assert (case["status"], case["accepted_on"]) == ("accepted", "2026-03-02")
    assert case["deadline"] == working_days_after(date(2026, 3, 2), 3).isoformat()  # 启动调查 ≤ 3 working days
    # Chongqing: 30 日 from 受理, 评议 and 公示 days not counted (条例第十九条)
    assert case["deadlines"]["overall_due"] == (date(2026, 3, 2) + timedelta(days=30)).isoformat()
    assert case["working_days_left"] == 3 and case["deadline_provisional"] is False
    # investigation by two different officers finds the head's wage
    case = api.step("town_officer", cid, "investigate", {
        "investigators": [staff["town_officer"].pk, staff["town_officer2"].pk], "visited_on": "2026-03-02",
        "incomes": [{"person": head.pk, "category": "wage", "monthly_amount": "1000.00"}], "note": "家中无车"})
    # 信息核对 is requested with the investigation: due 3 working days later
    assert case["status"] == "investigated" and case["deadline"] == case["deadlines"]["verification_due"]
    assert case["deadline"] == working_days_after(date(2026, 3, 2), 3).isoformat()
    assert household.incomes.get().monthly_amount == 1000  # written to the registry, read by the quote
    case = api.step("town_officer", cid, "verify", {"sources": ["hukou", "tax", "real_estate"], "result": "match"})
    case = api.step("town_officer", cid, "evaluate", {"participants": 9, "result": "agree"})
    assert case["status"] == "evaluated"
    # the town review computes the amount, line by line
    case = api.step("town_reviewer", cid, "review", {"opinion": "agree"})
    assert case["monthly_amount"] == "540.00"
    lines = case["calculation"]["review"]["lines"]
    assert lines[-1] == {"label": "低保金 = 270.00 × 2", "value": "540.00"}
    case = api.step("town_officer", cid, "publish", {})
    notice = case["notices"][0]
    assert (notice["starts_on"], notice["ends_on"], notice["days"]) == ("2026-03-02", "2026-03-08", 7)
    assert notice["content"] == {"name": "赵一", "household_size": 2, "monthly_amount": "540.00",
                                 "program": "最低生活保障（低保）"}
    # the district cannot confirm during the notice
    early = api.step("district_approver", cid, "confirm", {}, expect=400)
    assert "公示期未满" in early["status"][0]
    clock.set(date(2026, 3, 9))
    case = api.step("district_approver", cid, "confirm", {})
    assert (case["status"], case["monthly_amount"], case["deadline"]) == ("confirmed", "540.00", None)
    enrolment = Enrolment.objects.get(pk=case["enrolment"])
    # Chongqing pays from the month of approval
    assert (enrolment.start_month, enrolment.monthly_amount, enrolment.household_id) == (
        date(2026, 3, 1), 540, household.pk)
    assert case["calculation"]["confirmation"]["monthly_amount"] == "540.00"
    assert [s["action"] for s in case["steps"]] == ["submit", "accept", "accept", "investigate", "verify", "evaluate",
                                                    "review", "publish", "confirm"]
    assert case["actions"] == []
    events = set(DomainEvent.objects.filter(household=household).values_list("type", flat=True))
    assert {"case_submitted", "case_step", "enrolment_start"} <= events
    steps = DomainEvent.objects.filter(household=household, type="case_step")
    assert {"accept", "confirm"} <= {e.params["action"] for e in steps}
    assert {(e.subject_type, e.subject_id) for e in steps} == {("casework.case", str(case["id"]))}


def test_tekun_journey_with_care_level(api, staff, families, clock):
    household, (elder,) = families.household(["孙老伯"], births=["19500101"])
    case = api.submit("town_officer", {"program": "tekun", "person": elder.pk, "authorised_data_check": True,
                                       "support_mode": "dispersed"})
    cid = case["id"]
    assert case["person"] == elder.pk and case["household"] == household.pk
    case = api.step("town_officer", cid, "accept", {})
    # 特困: the town review is due within 15 working days of acceptance; no 30-day overall limit
    assert case["deadline"] == working_days_after(date(2026, 3, 2), 15).isoformat()
    assert case["deadlines"]["overall_due"] is None
    refused = api.step("town_officer", cid, "extend", {"reason": "情况复杂"}, expect=400)
    assert "特困人员认定" in refused["status"][0]
    # four of the six self-care items failed → 全护理
    case = api.step("town_officer", cid, "investigate", {
        "investigators": [staff["town_officer"].pk, staff["town_officer2"].pk],
        "self_care_failed": ["bathing", "dressing", "indoor_walking", "toileting"], "no_supporter": True})
    assert case["inputs"]["care_level"] == "full"
    api.step("town_officer", cid, "verify", {"sources": ["hukou", "social_insurance"], "result": "match"})
    api.step("town_officer", cid, "evaluate", {"participants": 7, "result": "agree"})
    case = api.step("town_reviewer", cid, "review", {"opinion": "agree"})
    assert case["monthly_amount"] == "1501.00"  # 1001 basic (渝民规〔2025〕6号) + 500 全护理
    assert case["calculation"]["review"]["lines"][-1] == {"label": "特困人员救助供养金 = 1001.00 + 500.00",
                                                          "value": "1501.00"}
    case = api.step("town_officer", cid, "publish", {})
    assert case["deadline"] == working_days_after(date(2026, 3, 8), 15).isoformat()  # 15 WD after the notice ends
    clock.set(date(2026, 3, 10))
    case = api.step("district_approver", cid, "confirm", {})
    enrolment = Enrolment.objects.get(pk=case["enrolment"])
    # 特困 support starts the month after confirmation (《特困人员认定办法》)
    assert (enrolment.person_id, enrolment.start_month, enrolment.monthly_amount) == (elder.pk, date(2026, 4, 1), 1501)
    assert (enrolment.care_level, enrolment.support_mode) == ("full", "dispersed")


def test_linshi_urgent_approval_then_completion(api, staff, families, clock):
    household, (head,) = families.household(["周急难"])
    case = api.submit("town_officer", {"program": "linshi", "household": household.pk, "linshi_kind": "jinan",
                                       "amount": "800", "authorised_data_check": True})
    cid = case["id"]
    api.step("town_officer", cid, "accept", {})
    # above the town's delegated limit (town_limit 1000) the town may not approve first
    over = api.step("town_officer", cid, "urgent_approve", {"amount": "1500.00"}, expect=400)
    assert "超出乡镇（街道）先行救助审批限额 1000.00 元" in over["amount"][0]
    # the refused attempt changed nothing
    assert api.get("town_officer", f"/api/applications/{cid}/")["inputs"]["amount"] == "800.00"
    case = api.step("town_officer", cid, "urgent_approve", {})
    assert (case["status"], case["monthly_amount"], case["advance_approved_on"]) == (
        "approved_pending_completion", "800.00", "2026-03-02")
    first = Enrolment.objects.get(pk=case["enrolment"])
    assert (first.monthly_amount, first.start_month, first.status) == (800, date(2026, 3, 1), "ended")  # one-off
    assert case["calculation"]["advance"]["flags"] == {"town_first_approval": True}
    # the formal steps are completed afterwards
    api.to_publicised(cid)
    clock.set(date(2026, 3, 9))
    case = api.step("district_approver", cid, "confirm", {})
    assert case["status"] == "confirmed" and case["enrolment"] == first.pk
    assert Enrolment.objects.filter(household=household).count() == 1  # no second payment


def test_rejection_with_written_reasons(api, staff, families, clock):
    household, (head,) = families.household(["吴富余"])
    cid = api.submit("town_officer", {"program": "dibao", "household": household.pk,
                                      "authorised_data_check": True})["id"]
    api.step("town_officer", cid, "accept", {})
    api.step("town_officer", cid, "investigate", {
        "investigators": [staff["town_officer"].pk, staff["town_officer2"].pk],
        "incomes": [{"person": head.pk, "category": "wage", "monthly_amount": "3000"}]})
    api.step("town_officer", cid, "verify", {"sources": ["tax"], "result": "match"})
    api.step("town_officer", cid, "evaluate", {"participants": 6, "result": "disagree"})
    # an "agree" opinion contradicting the computation is refused; "disagree" goes to the district
    wrong = api.step("town_reviewer", cid, "review", {"opinion": "agree"}, expect=400)
    assert "家庭月人均收入不低于低保标准" in wrong["opinion"][0]
    case = api.step("town_reviewer", cid, "review", {"opinion": "disagree"})
    assert (case["status"], case["monthly_amount"]) == ("reviewed", "0.00")
    assert "不予公示" in api.step("town_officer", cid, "publish", {}, expect=400)["status"][0]
    assert "书面说明理由" in api.step("district_approver", cid, "reject", {"reasons": "  "}, expect=400)["reasons"][0]
    case = api.step("district_approver", cid, "reject", {"reasons": "家庭月人均收入3000元，高于城市低保标准770元"})
    assert (case["status"], case["decision_reasons"], case["decided_on"]) == (
        "rejected", "家庭月人均收入3000元，高于城市低保标准770元", "2026-03-02")
    notice = next(d for d in case["documents"] if d["kind"] == "rejection_notice")
    assert notice["content"]["reasons"] == case["decision_reasons"] and notice["title"] == "不予确认通知书"
    assert not Enrolment.objects.filter(household=household).exists()
    after = api.step("town_officer", cid, "withdraw", {}, expect=400)
    assert after["status"] == ["案件不予确认，不能再撤回申请"]


def test_national_variant_skips_evaluation_and_pays_from_next_month(api, staff, families, clock, settings):
    settings.MINZHENG_ASSISTANCE_VARIANT = "national"
    household, (head, child) = families.household(["郑全国", "郑小"])
    case = api.submit("town_officer", {"program": "dibao", "household": household.pk, "authorised_data_check": True})
    cid = case["id"]
    assert (case["workflow"], case["variant"]) == ("dibao.national", "national")
    api.step("town_officer", cid, "accept", {})
    api.step("town_officer", cid, "investigate", {
        "investigators": [staff["town_officer"].pk, staff["town_officer2"].pk],
        "incomes": [{"person": head.pk, "category": "wage", "monthly_amount": "600"}]})
    api.step("town_officer", cid, "verify", {"sources": ["tax"], "result": "match"})
    refused = api.step("town_officer", cid, "evaluate", {"participants": 5, "result": "agree"}, expect=400)
    assert "全国规则" in refused["status"][0] and "群众评议" in refused["status"][0]
    case = api.step("town_reviewer", cid, "review", {"opinion": "agree"})  # straight after 信息核对
    assert case["monthly_amount"] == "940.00"  # (770 − 300) × 2
    api.step("town_officer", cid, "publish", {})
    # a case keeps its variant even if the installation's setting changes meanwhile
    settings.MINZHENG_ASSISTANCE_VARIANT = "chongqing"
    clock.set(date(2026, 3, 9))
    case = api.step("district_approver", cid, "confirm", {})
    assert Enrolment.objects.get(pk=case["enrolment"]).start_month == date(2026, 4, 1)
    assert case["calculation"]["confirmation"]["month"] == "2026-04"
