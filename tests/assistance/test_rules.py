"""Each rule refuses by name: separation of duties, two different investigators, close-relative recusal and the
district's own investigation, out-of-order steps (400), wrong role or level (403), outside the area (404)."""

from datetime import date

import pytest

from accounts.services import user_create
from audit.models import ChangeLog
from casework.models import Case, CaseStep
from programs.models import Enrolment
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(families):
    return families.household(["冯家长", "冯家属"])


@pytest.fixture
def case_id(api, family):
    household, _ = family
    return api.submit("community_worker", {"program": "dibao", "household": household.pk,
                                           "authorised_data_check": True})["id"]


def _investigators(staff, *names):
    return [staff[n].pk for n in names]


def _to_publicised(api, staff, cid, **who):
    return api.to_publicised(cid, **who)


def test_town_reviewer_cannot_confirm_the_same_case(api, staff, case_id, clock):
    # given a town where one user holds both the review and the (delegated) confirmation
    _to_publicised(api, staff, case_id, reviewer="reviewer_approver")
    clock.set(date(2026, 3, 9))
    refused = api.step("reviewer_approver", case_id, "confirm", {}, expect=403)
    assert refused["detail"] == "职责分离：本案初审人员不得对同一案件作出审核确认或不予确认决定"
    api.step("reviewer_approver", case_id, "reject", {"reasons": "试图由初审人决定"}, expect=403)
    assert Case.objects.get(pk=case_id).state == "publicised" and not Enrolment.objects.exists()
    # another approver may
    assert api.step("district_approver", case_id, "confirm", {})["status"] == "confirmed"


def test_investigators_must_be_two_different_users(api, staff, case_id, clock):
    api.step("town_officer", case_id, "accept", {})
    for investigators in (["town_officer"], ["town_officer", "town_officer"]):
        refused = api.step("town_officer", case_id, "investigate",
                           {"investigators": _investigators(staff, *investigators)}, expect=400)
        assert refused["investigators"] == [
            "入户调查须由至少两名不同的工作人员进行（《最低生活保障审核确认办法》第十六条）"]
    outside = api.step("town_officer", case_id, "investigate",
                       {"investigators": _investigators(staff, "town_officer", "outsider")}, expect=400)
    assert "不负责本案所在区划" in outside["investigators"][0]
    unknown = api.step("town_officer", case_id, "investigate", {"investigators": [staff["town_officer"].pk, 999999]},
                       expect=400)
    assert "999999" in unknown["investigators"][0]
    assert not CaseStep.objects.filter(case_id=case_id, action="investigate").exists()


def test_close_relative_of_a_staff_member_is_filed_and_the_staff_member_recused(api, staff, family, clock):
    household, (head, _) = family
    # given the town officer declares the head is their spouse
    declared = api.post("town_officer", "/api/close-relatives/", {
        "staff": staff["town_officer"].pk, "relative": head.pk, "relation": "spouse"}, expect=201)
    assert declared["relative_name"] == "冯家长"
    # when the household applies, the case is registered as a close-relative case
    case = api.submit("community_worker", {"program": "dibao", "household": household.pk,
                                           "authorised_data_check": True})
    assert case["close_relative_filed"] is True
    # then that officer may not handle it in any way, and sees no actions
    refused = api.step("town_officer", case["id"], "accept", {}, expect=403)
    assert refused["detail"].startswith("回避规则：您已登记为本案家庭成员冯家长的近亲属（配偶）")
    assert api.get("town_officer", f"/api/applications/{case['id']}/")["actions"] == []
    api.step("town_officer2", case["id"], "accept", {})
    nor_as_investigator = api.step("town_officer2", case["id"], "investigate", {
        "investigators": _investigators(staff, "town_officer", "town_officer2")}, expect=400)
    assert "回避规则：调查人员" in nor_as_investigator["investigators"][0]


def test_close_relative_case_needs_the_districts_own_investigation(api, staff, family, clock):
    household, (head, _) = family
    api.post("community_worker", "/api/close-relatives/", {
        "committee_member_name": "冯村委", "committee_area": head.area_id, "relative": head.pk,
        "relation": "sibling"}, expect=201)
    cid = api.submit("town_officer", {"program": "dibao", "household": household.pk,
                                      "authorised_data_check": True})["id"]
    # the town alone investigates …
    _to_publicised(api, staff, cid, investigators=("town_officer2", "town_officer3"))
    clock.set(date(2026, 3, 9))
    refused = api.step("district_approver", cid, "confirm", {}, expect=400)
    assert "近亲属备案案件须由区县民政部门入户调查" in refused["status"][0]
    # … so an objection is upheld, and the district joins the new investigation
    api.step("town_officer", cid, "objection", {"content": "村委会成员亲属", "decision": "upheld",
                                                 "handling": "由区民政局入户核查"})
    case = api.step("town_officer", cid, "investigate", {
        "investigators": _investigators(staff, "town_officer2", "district_officer")})
    assert case["investigations"][-1]["district_investigation"] is True
    api.step("district_officer", cid, "verify", {"sources": ["hukou"], "result": "match"})
    api.step("town_officer", cid, "evaluate", {"participants": 5, "result": "agree"})
    api.step("town_reviewer", cid, "review", {"opinion": "agree"})
    notice = api.step("town_officer", cid, "publish", {})["notices"][-1]
    assert (notice["days"], notice["republication"]) == (3, True)  # Chongqing: 3 days after an upheld objection
    clock.set(date(2026, 3, 12))
    assert api.step("district_approver", cid, "confirm", {})["status"] == "confirmed"


def test_declaring_a_relative_flags_open_cases_at_once(api, staff, family, case_id):
    household, (_, member) = family
    assert Case.objects.get(pk=case_id).close_relative_filed is False
    api.post("town_officer2", "/api/close-relatives/", {"staff": staff["town_reviewer"].pk, "relative": member.pk,
                                                        "relation": "child"}, expect=201)
    case = api.get("town_officer", f"/api/applications/{case_id}/")
    assert case["close_relative_filed"] is True and case["steps"][-1]["label"] == "近亲属备案"
    api.step("town_officer", case_id, "accept", {})
    api.step("town_officer", case_id, "investigate", {"investigators": _investigators(staff, "town_officer",
                                                                                         "town_officer2")})
    api.step("town_officer", case_id, "verify", {"sources": ["hukou"], "result": "match"})
    api.step("town_officer", case_id, "evaluate", {"participants": 5, "result": "agree"})
    assert "回避规则" in api.step("town_reviewer", case_id, "review", {"opinion": "agree"}, expect=403)["detail"]


def test_out_of_order_step_is_a_400_naming_the_order(api, case_id):
    api.step("town_officer", case_id, "accept", {})
    refused = api.step("town_reviewer", case_id, "review", {"opinion": "agree"}, expect=400)
    assert refused["status"] == [
        "办理顺序不符：当前状态为“已受理（待入户调查）”，“初审”只能在“已群众评议（待初审）”时办理"
        "（办理顺序：申请 → 受理 → 入户调查 → 信息核对 → 群众评议 → 初审 → 公示 → 审核确认）"]
    api.step("district_approver", case_id, "confirm", {}, expect=400)
    assert Case.objects.get(pk=case_id).state == "accepted"


def test_wrong_role_or_level_is_a_403(api, staff, areas, case_id):
    assert api.step("community_worker", case_id, "accept", {}, expect=403)["detail"] == \
        "无“受理”权限（application.accept）"
    assert api.step("town_reviewer", case_id, "accept", {}, expect=403)["detail"].startswith("无“受理”权限")
    # a town-officer role held by a district user: acceptance belongs to the town
    staff["district_clerk"] = user_create(username="dc", password=PASSWORD, roles=["town_officer"],
                                          area_code=areas["district"], validate=False)
    assert api.step("district_clerk", case_id, "accept", {}, expect=403)["detail"] == \
        "职责分工：“受理”须由乡镇（街道）办理（乡镇（街道）受理，《最低生活保障审核确认办法》第十条）"
    assert Case.objects.get(pk=case_id).state == "submitted"


def test_outside_the_area_is_a_404(api, staff, case_id):
    assert api.get("outsider", f"/api/applications/{case_id}/", expect=404)["detail"] == \
        "未找到该记录，或不在您的管辖范围内"
    api.step("outsider", case_id, "accept", {}, expect=404)
    assert api.get("outsider", "/api/applications/")["results"] == []
    assert [r["id"] for r in api.get("leader", "/api/applications/")["results"]] == [case_id]


def test_refused_steps_change_nothing_and_leave_no_history(api, staff, case_id):
    before = ChangeLog.objects.count(), CaseStep.objects.count()
    api.step("town_officer", case_id, "accept", {"date": "2099-01-01"}, expect=400)
    api.step("community_worker", case_id, "accept", {}, expect=403)
    assert (ChangeLog.objects.count(), CaseStep.objects.count()) == before


def test_withdraw_before_decision_then_nothing_more(api, staff, case_id):
    api.step("town_officer", case_id, "accept", {})
    case = api.step("community_worker", case_id, "withdraw", {"reason": "申请人外出务工"})
    assert (case["status"], case["deadline"], case["steps"][-1]["note"]) == ("withdrawn", None, "申请人外出务工")
    assert api.step("town_officer", case_id, "investigate", {
        "investigators": _investigators(staff, "town_officer", "town_officer2")}, expect=400)["status"] == [
        "案件已撤回，不能再入户调查"]


def test_dismissed_objection_keeps_the_notice(api, staff, case_id, clock):
    _to_publicised(api, staff, case_id)
    recorded = api.step("town_officer", case_id, "objection", {"content": "其子有车", "objector": "匿名"})
    objection = recorded["objections"][0]
    assert objection["status"] == "open"
    clock.set(date(2026, 3, 9))
    assert "未处理的公示异议" in api.step("district_approver", case_id, "confirm", {}, expect=400)["status"][0]
    case = api.step("town_officer", case_id, "objection", {"objection": objection["id"], "decision": "dismissed",
                                                            "handling": "经核实车辆已于2024年转让"})
    assert case["status"] == "publicised" and case["objections"][0]["status"] == "dismissed"
    assert api.step("district_approver", case_id, "confirm", {})["status"] == "confirmed"


def test_verification_needs_the_applicants_authorisation(api, staff, family, clock):
    household, _ = family
    cid = api.submit("community_worker", {"program": "dibao", "household": household.pk})["id"]
    api.step("town_officer", cid, "accept", {})
    api.step("town_officer", cid, "investigate", {"investigators": _investigators(staff, "town_officer",
                                                                                     "town_officer2")})
    refused = api.step("town_officer", cid, "verify", {"sources": ["tax"], "result": "match"}, expect=400)
    assert "尚未授权" in refused["authorised_data_check"][0]
    # the worker records the applicant's electronic authorisation later; then the check may proceed
    case = api.step("community_worker", cid, "authorise", {})
    assert case["authorised_data_check"] is True and case["steps"][-1]["label"] == "电子授权"
    no_note = api.step("town_officer", cid, "verify", {"sources": ["tax"], "result": "mismatch"}, expect=400)
    assert no_note["note"] == ["核对不符须说明不符的事项"]
    case = api.step("town_officer", cid, "verify", {"sources": ["tax", "vehicle"], "result": "mismatch",
                                                    "note": "车船登记有一辆轿车"})
    assert case["status"] == "verified" and case["records"][0]["result"] == "mismatch"
