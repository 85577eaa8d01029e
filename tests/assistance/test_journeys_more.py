"""More full journeys through the API: 低保边缘 (a recognition with amount 0, and an income below the 低保 standard
sent to 低保 instead), 刚性支出困难, rural 低保, a withdrawal, an extension to 45 working days, an objection upheld
during 公示 (back to investigation, then the Chongqing 3-day re-publication), and a close-relative case that needs
the district's own investigator before confirmation.

Each journey checks the status and the deadline shown after every step, and works the final amount by hand here
(Decimal, half-up to the fen) rather than reading it back from the code under test.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from casework.models import Case
from programs.models import Enrolment
from tests.assistance.conftest import working_days_after

pytestmark = pytest.mark.django_db

ACCEPTED = date(2026, 3, 2)  # the clock fixture's Monday
URBAN, RURAL = Decimal("770"), Decimal("630")  # 渝民规〔2025〕6号, in force from 2026-01-01 (seeded parameters)
CENT = Decimal("0.01")


def fen(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def dibao_by_hand(standard: Decimal, total_income: Decimal, size: int) -> Decimal:
    """(标准 − 人均收入（先到分）) × 人数, to the fen, never negative."""
    per_capita = fen(total_income / size)
    return fen(max(standard - per_capita, Decimal(0)) * size)


def wd(start: date, n: int) -> str:
    return working_days_after(start, n).isoformat()


def cq(not_counted: int = 0) -> str:
    """The Chongqing overall limit: 30 日 from 受理 plus the 评议 and 公示 days (条例第十九条)."""
    return (ACCEPTED + timedelta(days=30 + not_counted)).isoformat()


def investigators(staff, *names) -> list[int]:
    return [staff[n].pk for n in names]


def wage(person, amount: str) -> dict:
    return {"person": person.pk, "category": "wage", "monthly_amount": amount}


def accept(api, cid) -> dict:
    case = api.step("town_officer", cid, "accept", {})
    assert (case["status"], case["accepted_on"]) == ("accepted", ACCEPTED.isoformat())
    assert case["deadline"] == wd(ACCEPTED, 3) == case["deadlines"]["investigation_due"]
    assert case["deadlines"]["overall_due"] == cq()
    return case


def through_review(api, staff, cid, *, incomes=(), team=("town_officer", "town_officer2"), overall=30) -> dict:
    """入户调查 → 信息核对 → 群众评议 → 初审, checking the status and the (overall) deadline after each step."""
    body = {"investigators": investigators(staff, *team), "incomes": list(incomes)}
    for who, action, payload, status in (
            ("town_officer", "investigate", body, "investigated"),
            ("town_officer2", "verify", {"sources": ["hukou", "tax"], "result": "match"}, "verified"),
            ("town_officer2", "evaluate", {"participants": 7, "result": "agree"}, "evaluated"),
            ("town_reviewer", "review", {"opinion": "agree"}, "reviewed")):
        case = api.step(who, cid, action, payload)
        # the 评议 day (today, the day of acceptance) is not counted once it is held
        overall_due = wd(ACCEPTED, overall) if overall != 30 else cq(int(status in ("evaluated", "reviewed")))
        # while 信息核对 is awaited, its 3 working days are the current deadline
        current = wd(ACCEPTED, 3) if status == "investigated" else overall_due
        assert (case["status"], case["deadline"], case["deadlines"]["overall_due"]) == (status, current, overall_due)
    return case


def publish(api, cid, *, days: int = 7) -> dict:
    case = api.step("town_officer2", cid, "publish", {})
    notice = [n for n in case["notices"] if n["status"] == "open"][-1]
    starts = date.fromisoformat(notice["starts_on"])
    assert notice["days"] == days and (date.fromisoformat(notice["ends_on"]) - starts).days == days - 1
    ends = date.fromisoformat(notice["ends_on"])
    assert case["status"] == "publicised"
    assert case["deadlines"]["confirmation_due"] == wd(ends, 10)  # 区县 ≤ 10 working days after the notice
    assert case["deadline"] == min(case["deadlines"]["confirmation_due"], case["deadlines"]["overall_due"])
    return case


# ---- 低保边缘 --------------------------------------------------------------------------------------------------

def test_bianyuan_recognition_between_one_and_one_and_a_half_standards(api, staff, families, clock):
    household, (head, spouse) = families.household(["边缘甲", "边缘乙"])
    # given 2 people with 2 000 a month: 1 000 per head, between 770 and 1.5 × 770 = 1 155
    cid = api.submit("community_worker", {"program": "dibao_bianyuan", "household": household.pk,
                                          "authorised_data_check": True})["id"]
    accept(api, cid)
    case = through_review(api, staff, cid, incomes=[wage(head, "2000.00")])
    review = case["calculation"]["review"]
    line = fen(URBAN * Decimal("1.5"))
    assert (review["eligible"], review["standard"], review["per_capita_income"]) == (True, str(line), "1000.00")
    assert case["monthly_amount"] == "0.00" and review["unverified"] is True  # 1.5× is marked 未核实
    publish(api, cid)
    clock.set(date(2026, 3, 9))
    case = api.step("district_approver", cid, "confirm", {})
    assert (case["status"], case["deadline"], case["monthly_amount"]) == ("confirmed", None, "0.00")
    enrolment = Enrolment.objects.get(pk=case["enrolment"])
    assert (enrolment.program_id, enrolment.household_id, enrolment.status) == ("dibao_bianyuan", household.pk,
                                                                                "active")
    # a recognition pays nothing and starts in the month of approval
    assert (enrolment.monthly_amount, enrolment.start_month) == (Decimal("0.00"), date(2026, 3, 1))


def test_income_below_the_standard_is_dibao_not_bianyuan(api, staff, families, clock):
    household, (head, child) = families.household(["低收入甲", "低收入乙"])
    cid = api.submit("community_worker", {"program": "dibao_bianyuan", "household": household.pk,
                                          "authorised_data_check": True})["id"]
    accept(api, cid)
    api.step("town_officer", cid, "investigate", {"investigators": investigators(staff, "town_officer",
                                                                                 "town_officer2"),
                                                  "incomes": [wage(head, "1000.00")]})
    # the quote the officer (or the family) runs says: 低保, not 边缘
    body = {"household": household.pk, "month": "2026-03"}
    bianyuan = api.post("town_officer", "/api/programs/dibao_bianyuan/quote/", body)
    assert (bianyuan["eligible"], bianyuan["monthly_amount"]) == (False, "0.00")
    assert bianyuan["reasons"] == ["家庭月人均收入低于低保标准，应按低保办理"]
    dibao = api.post("town_officer", "/api/programs/dibao/quote/", body)
    assert (dibao["eligible"], dibao["per_capita_income"]) == (True, "500.00")
    assert dibao["monthly_amount"] == str(dibao_by_hand(URBAN, Decimal(1000), 2)) == "540.00"
    # and the town review cannot agree to 边缘; it disagrees, the district rejects, the family applies for 低保
    api.step("town_officer", cid, "verify", {"sources": ["tax"], "result": "match"})
    api.step("town_officer", cid, "evaluate", {"participants": 5, "result": "agree"})
    refused = api.step("town_reviewer", cid, "review", {"opinion": "agree"}, expect=400)
    assert "应按低保办理" in refused["opinion"][0]
    assert api.step("town_reviewer", cid, "review", {"opinion": "disagree"})["status"] == "reviewed"
    case = api.step("district_approver", cid, "reject", {"reasons": "家庭月人均收入500元，低于低保标准，应申请低保"})
    assert (case["status"], case["deadline"]) == ("rejected", None)
    assert api.submit("community_worker", {"program": "dibao", "household": household.pk})["status"] == "submitted"
    assert not Enrolment.objects.filter(household=household).exists()


# ---- 刚性支出困难 ----------------------------------------------------------------------------------------------

def test_gangxing_zhichu_recognition(api, staff, families, clock):
    household, (head, wife, son) = families.household(["刚性甲", "刚性乙", "刚性丙"])
    # given a household of 3 earning 3 000 a month (36 000 a year, 12 000 per head < 36 000 disposable income)
    # with 20 000 of medical spending in 12 months, above 50 % of 36 000 = 18 000
    case = api.submit("community_worker", {"program": "gangxing_zhichu", "household": household.pk,
                                           "authorised_data_check": True, "rigid_expenditure": "20000"})
    cid = case["id"]
    assert case["inputs"] == {"rigid_expenditure": "20000.00"}
    accept(api, cid)
    case = through_review(api, staff, cid, incomes=[wage(head, "3000.00")])
    review = case["calculation"]["review"]
    assert (review["eligible"], review["household_size"], case["monthly_amount"]) == (True, 3, "0.00")
    labels = {line["label"]: line["value"] for line in review["lines"]}
    assert labels["近12个月家庭总收入（按当月计入收入估算）= 3000.00 × 12"] == "36000.00"
    assert labels["年人均收入 = 36000.00 ÷ 3"] == "12000.00"
    assert labels["刚性支出占比 = 20000.00 ÷ 36000.00"] == "55.56%"
    publish(api, cid)
    clock.set(date(2026, 3, 9))
    case = api.step("district_approver", cid, "confirm", {})
    assert (case["status"], case["deadline"]) == ("confirmed", None)
    enrolment = Enrolment.objects.get(pk=case["enrolment"])
    assert (enrolment.program_id, enrolment.monthly_amount, enrolment.start_month) == (
        "gangxing_zhichu", Decimal("0.00"), date(2026, 3, 1))


def test_gangxing_zhichu_spending_at_the_ratio_is_refused(api, staff, families):
    household, (head,) = families.household(["刚性丁"])
    # exactly 50 %: 12 × 1 000 = 12 000, spending 6 000 — the rule is "exceeds", so not eligible
    from registry.services import income_add

    income_add(acting_user=staff["district_officer"], household=household, person=head, category="wage",
               monthly_amount=Decimal("1000"), start_month=date(2026, 1, 1))
    answer = api.post("town_officer", "/api/programs/gangxing_zhichu/quote/",
                      {"household": household.pk, "month": "2026-03", "rigid_expenditure": "6000"})
    assert answer["eligible"] is False
    assert answer["reasons"] == ["近12个月刚性支出占家庭总收入的比例未超过认定比例"]
    over = api.post("town_officer", "/api/programs/gangxing_zhichu/quote/",
                    {"household": household.pk, "month": "2026-03", "rigid_expenditure": "6000.01"})
    assert over["eligible"] is True


# ---- 农村低保 --------------------------------------------------------------------------------------------------

def test_rural_dibao_uses_the_rural_standard(api, staff, families, clock):
    household, (head, wife, elder) = families.household(["农村甲", "农村乙", "农村丙"], hukou="rural")
    cid = api.submit("community_worker", {"program": "dibao", "household": household.pk,
                                          "authorised_data_check": True})["id"]
    accept(api, cid)
    # 700 + 301 = 1 001 a month for 3: 333.666… → 333.67 per head
    case = through_review(api, staff, cid, incomes=[wage(head, "700.00"), wage(wife, "301.00")])
    expected = dibao_by_hand(RURAL, Decimal("1001"), 3)
    assert expected == Decimal("888.99")  # (630 − 333.67) × 3 = 296.33 × 3
    review = case["calculation"]["review"]
    assert (review["standard"], review["per_capita_income"], case["monthly_amount"]) == ("630.00", "333.67",
                                                                                         str(expected))
    assert review["lines"][-1] == {"label": "低保金 = 296.33 × 3", "value": str(expected)}
    assert any(line["label"].startswith("低保标准（农村") for line in review["lines"])
    publish(api, cid)
    clock.set(date(2026, 3, 9))
    case = api.step("district_approver", cid, "confirm", {})
    enrolment = Enrolment.objects.get(pk=case["enrolment"])
    assert (case["status"], enrolment.monthly_amount, enrolment.start_month) == ("confirmed", expected,
                                                                                 date(2026, 3, 1))


# ---- 撤回 ------------------------------------------------------------------------------------------------------

def test_withdrawal_during_publication_closes_the_case_and_allows_a_new_one(api, staff, families, clock):
    household, (head,) = families.household(["撤回甲"])
    cid = api.submit("community_worker", {"program": "dibao", "household": household.pk,
                                          "authorised_data_check": True})["id"]
    accept(api, cid)
    through_review(api, staff, cid, incomes=[wage(head, "200.00")])
    publish(api, cid)
    clock.set(date(2026, 3, 4))
    case = api.step("community_worker", cid, "withdraw", {"reason": "家庭成员找到工作"})
    assert (case["status"], case["deadline"], case["working_days_left"], case["actions"]) == (
        "withdrawn", None, None, [])
    assert case["notices"][0]["status"] == "ended" and case["closed_at"] is not None
    assert case["steps"][-1]["note"] == "家庭成员找到工作"
    # nothing more can happen, no enrolment exists, and the family may apply again
    refused = api.step("district_approver", cid, "confirm", {}, expect=400)
    assert "已撤回" in refused["status"][0]
    assert not Enrolment.objects.filter(household=household).exists()
    again = api.submit("community_worker", {"program": "dibao", "household": household.pk})
    assert again["status"] == "submitted" and again["id"] != cid


# ---- 延期至45个工作日 -----------------------------------------------------------------------------------------

def test_extension_to_45_working_days_then_confirmation(api, staff, families, clock):
    household, (alone,) = families.household(["延期甲"])
    cid = api.submit("community_worker", {"program": "dibao", "household": household.pk,
                                          "authorised_data_check": True})["id"]
    accept(api, cid)
    case = api.step("town_officer", cid, "investigate", {"investigators": investigators(staff, "town_officer",
                                                                                        "town_officer2")})
    assert (case["status"], case["deadline"]) == ("investigated", wd(ACCEPTED, 3))
    case = api.step("town_officer", cid, "extend", {"reason": "人户分离，需异地核对"})
    assert (case["status"], case["extended"]) == ("investigated", True)  # the state does not move
    assert case["deadlines"]["overall_due"] == wd(ACCEPTED, 45)
    assert case["deadline"] == wd(ACCEPTED, 3) and case["working_days_left"] == 3  # 信息核对 comes first
    assert case["deadline_basis"]["overall_due"]["working_days"] == 45
    api.step("town_officer", cid, "verify", {"sources": ["hukou"], "result": "match"})
    api.step("town_officer", cid, "evaluate", {"participants": 5, "result": "agree"})
    case = api.step("town_reviewer", cid, "review", {"opinion": "agree"})
    assert case["deadline"] == wd(ACCEPTED, 45)
    # zero income: the whole standard for the one member
    assert case["monthly_amount"] == str(dibao_by_hand(URBAN, Decimal(0), 1)) == "770.00"
    publish(api, cid)
    clock.set(date(2026, 3, 9))
    case = api.step("district_approver", cid, "confirm", {})
    assert (case["status"], case["deadline"], case["deadlines"]["overall_due"]) == ("confirmed", None,
                                                                                    wd(ACCEPTED, 45))
    assert Enrolment.objects.get(pk=case["enrolment"]).monthly_amount == Decimal("770.00")


# ---- 公示异议成立 → 重新调查 → 重新公示3日 --------------------------------------------------------------------------

def test_objection_upheld_sends_the_case_back_and_republishes_for_three_days(api, staff, families, clock):
    household, (head, son) = families.household(["异议甲", "异议乙"])
    cid = api.submit("community_worker", {"program": "dibao", "household": household.pk,
                                          "authorised_data_check": True})["id"]
    accept(api, cid)
    case = through_review(api, staff, cid, incomes=[wage(head, "400.00")])
    assert case["monthly_amount"] == str(dibao_by_hand(URBAN, Decimal(400), 2)) == "1140.00"
    case = publish(api, cid)
    first = case["notices"][0]
    assert (first["starts_on"], first["ends_on"]) == ("2026-03-02", "2026-03-08")
    # during the notice a neighbour reports the son's job; the town upholds it
    clock.set(date(2026, 3, 5))
    case = api.step("town_officer", cid, "objection", {"content": "其子在镇上打工，每月有工资", "objector": "邻居",
                                                        "decision": "upheld", "handling": "经核实属实，重新入户调查"})
    assert case["status"] == "reinvestigating"
    # 30 日 + the 评议 day and the 7 days of the withdrawn notice (2–8 March, the 评议 day among them)
    assert case["deadline"] == case["deadlines"]["overall_due"] == cq(7)
    assert case["deadlines"]["confirmation_due"] is None  # no notice is running any more
    assert case["notices"][0]["status"] == "withdrawn" and case["objections"][0]["status"] == "upheld"
    api.step("district_approver", cid, "confirm", {}, expect=400)
    # a new investigation finds the son's wage; verification, evaluation and a new review follow
    case = api.step("town_officer", cid, "investigate", {
        "investigators": investigators(staff, "town_officer", "town_officer3"), "incomes": [wage(son, "600.00")]})
    assert (case["status"], case["deadline"]) == ("investigated", wd(date(2026, 3, 5), 3))
    api.step("town_officer", cid, "verify", {"sources": ["tax"], "result": "match"})
    api.step("town_officer", cid, "evaluate", {"participants": 8, "result": "agree"})
    case = api.step("town_reviewer", cid, "review", {"opinion": "agree"})
    expected = dibao_by_hand(URBAN, Decimal(1000), 2)
    assert case["monthly_amount"] == str(expected) == "540.00"
    # the Chongqing rule re-publishes the result for 3 days (条例第十八条)
    case = publish(api, cid, days=3)
    again = case["notices"][-1]
    assert (again["starts_on"], again["ends_on"], again["republication"]) == ("2026-03-05", "2026-03-07", True)
    assert again["content"]["monthly_amount"] == "540.00"
    assert case["deadlines"]["confirmation_due"] == wd(date(2026, 3, 7), 10)
    early = api.step("district_approver", cid, "confirm", {}, expect=400)
    assert "公示至 2026-03-07" in early["status"][0]
    clock.set(date(2026, 3, 8))
    case = api.step("district_approver", cid, "confirm", {})
    assert (case["status"], case["monthly_amount"], case["deadline"]) == ("confirmed", "540.00", None)
    assert Enrolment.objects.get(pk=case["enrolment"]).monthly_amount == expected
    assert [s["action"] for s in case["steps"]].count("investigate") == 2


# ---- 近亲属备案：区县入户调查 -------------------------------------------------------------------------------------

def test_close_relative_case_needs_a_district_investigator_before_confirmation(api, staff, families, clock):
    household, (head, daughter) = families.household(["亲属甲", "亲属乙"])
    # given the town reviewer's spouse is the head of the household
    api.post("town_officer", "/api/close-relatives/", {"staff": staff["town_reviewer"].pk, "relative": head.pk,
                                                       "relation": "spouse"}, expect=201)
    case = api.submit("community_worker", {"program": "dibao", "household": household.pk,
                                           "authorised_data_check": True})
    cid = case["id"]
    assert case["close_relative_filed"] is True
    accept(api, cid)
    # the district officer joins the town's investigation (区县入户调查)
    body = {"investigators": investigators(staff, "town_officer", "district_officer"),
            "incomes": [wage(daughter, "800.00")]}
    case = api.step("town_officer", cid, "investigate", body)
    assert (case["status"], case["deadline"]) == ("investigated", wd(ACCEPTED, 3))
    assert case["investigations"][0]["district_investigation"] is True
    api.step("town_officer", cid, "verify", {"sources": ["hukou", "tax"], "result": "match"})
    api.step("town_officer", cid, "evaluate", {"participants": 6, "result": "agree"})
    # the relative may not review: a second town reviewer does (reviewer_approver holds the town review)
    assert "回避规则" in api.step("town_reviewer", cid, "review", {"opinion": "agree"}, expect=403)["detail"]
    case = api.step("reviewer_approver", cid, "review", {"opinion": "agree"})
    expected = dibao_by_hand(URBAN, Decimal(800), 2)
    assert case["monthly_amount"] == str(expected) == "740.00"
    publish(api, cid)
    clock.set(date(2026, 3, 9))
    # the town reviewer of this case cannot confirm it either; the district approver does
    api.step("reviewer_approver", cid, "confirm", {}, expect=403)
    case = api.step("district_approver", cid, "confirm", {})
    assert (case["status"], case["deadline"]) == ("confirmed", None)
    assert Enrolment.objects.get(pk=case["enrolment"]).monthly_amount == expected
    assert Case.objects.get(pk=cid).close_relative_filed is True
