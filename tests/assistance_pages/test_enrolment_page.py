"""The enrolment page (享受对象办理): 拒绝就业登记, 特困 re-assessment within 10 working days, and the 7-day 终止公示
(issue, print, end only after it) — through the pages, as a town officer would; scoped by area."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from assistance.models import Recheck, TerminationNotice, WorkRefusal
from audit.models import AccessLog
from programs.models import Enrolment
from registry.models import LabourCapacity, PersonFact
from tests.assistance.conftest import working_days_after
from tests.assistance_pages.pdftext import pdf_text
from tests.assistance_pages.test_documents import cid_font  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def tekun(families, areas):
    household, (elder,) = families.household(["钱五保"], births=["19450101"])
    return Enrolment.objects.create(program_id="tekun", person=elder, household=household, area_id=areas["community_a"],
                                    monthly_amount=Decimal("1501.00"), start_month=date(2025, 6, 1), care_level="full")


@pytest.fixture
def dibao(families, areas):
    household, people = families.household(["孙一", "孙二"])
    return Enrolment.objects.create(program_id="dibao", person=people[0], household=household,
                                    area_id=areas["community_a"], monthly_amount=Decimal("540.00"),
                                    start_month=date(2026, 1, 1))


def page(client, enrolment) -> str:
    response = client.get(f"/assistance/enrolments/{enrolment.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_termination_notice_issue_print_and_end_only_after_it(login, staff, tekun, clock, cid_font):  # noqa: F811
    client = login(staff["town_officer"])
    clock.set(date(2026, 3, 2))
    assert "发布终止公示" in page(client, tekun)
    response = client.post(f"/assistance/enrolments/{tekun.pk}/do/notice/",
                           {"ground": "supporter", "reason": "子女返乡，具备赡养能力", "starts_on": "2026-03-02"})
    assert response.status_code == 302
    notice = TerminationNotice.objects.get(enrolment=tekun)
    assert notice.ends_on == date(2026, 3, 2) + timedelta(days=notice.days - 1)
    html = page(client, tekun)
    assert "有了具备履行能力的法定义务人" in html and "supporter" not in html  # labels, never codes
    assert "公示期满（2026-03-08）后方可终止待遇" in html and "termination-end" not in html

    pdf = client.get(f"/assistance/enrolments/{tekun.pk}/termination/{notice.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "终止公示" in text and "钱五保" in text and tekun.person.id_number not in text
    assert AccessLog.objects.filter(user=staff["town_officer"], kind="export",
                                    detail__filters__termination_notice=notice.pk).exists()

    # ending before the notice has run is refused with the reason, and nothing changes
    end = f"/assistance/enrolments/{tekun.pk}/termination/{notice.pk}/end/"
    follow = client.post(end, follow=True).content.decode()
    assert "终止公示期未满" in follow
    assert Enrolment.objects.get(pk=tekun.pk).status == "active"
    clock.set(notice.ends_on + timedelta(days=1))
    assert "termination-end" in page(client, tekun)
    client.post(end)
    tekun.refresh_from_db()
    assert (tekun.status, tekun.end_month) == ("ended", date(2026, 3, 1))  # paid for March, stops from April


def test_a_second_open_notice_is_refused_on_the_form(login, staff, tekun, clock):
    client = login(staff["town_officer"])
    client.post(f"/assistance/enrolments/{tekun.pk}/do/notice/", {"ground": "other", "reason": "第一次"})
    response = client.post(f"/assistance/enrolments/{tekun.pk}/do/notice/", {"ground": "other", "reason": "第二次"})
    assert response.status_code == 400 and "已有公示中的终止公示" in response.content.decode()
    assert TerminationNotice.objects.filter(enrolment=tekun).count() == 1


def test_reassessment_is_due_in_10_working_days_and_shown(login, staff, tekun, clock):
    client = login(staff["town_officer"])
    clock.set(date(2026, 3, 2))
    response = client.post(f"/assistance/enrolments/{tekun.pk}/do/reassess/",
                           {"reported_on": "2026-03-02", "note": "卧床"})
    assert response.status_code == 302
    recheck = Recheck.objects.get(enrolment=tekun, status="due")
    due = working_days_after(date(2026, 3, 2), 10)
    assert recheck.due_on == due and recheck.trigger == "care_change"
    html = page(client, tekun)
    assert f"应于 {due:%Y-%m-%d} 前完成" in html and "生活自理能力变化后重新评估" in html
    assert f"/assistance/rechecks/{recheck.pk}/" in html  # the result is recorded on the re-check page
    future = client.post(f"/assistance/enrolments/{tekun.pk}/do/reassess/", {"reported_on": "2026-03-09"})
    assert future.status_code == 400 and "报告日期不能晚于今天" in future.content.decode()


def test_reassessment_is_only_offered_for_tekun(login, staff, dibao):
    html = page(login(staff["town_officer"]), dibao)
    assert "生活自理能力重新评估" not in html


def test_work_refusal_recorded_for_a_member(login, staff, dibao, clock):
    client = login(staff["town_officer"])
    member = dibao.household.members.get(relation="child").person
    response = client.post(f"/assistance/enrolments/{dibao.pk}/do/refusal/",
                           {"person": member.pk, "refused_on": "2026-02-20", "job": "超市理货员",
                            "reason_given": "嫌工资低"})
    assert response.status_code == 302
    refusal = WorkRefusal.objects.get(person=member)
    assert (refusal.job, refusal.justified, refusal.recorded_by) == ("超市理货员", False, staff["town_officer"])
    html = page(client, dibao)
    assert "超市理货员" in html and "嫌工资低（不正当）" in html
    # a member recorded unable to work cannot "refuse work": the form names the member
    PersonFact.objects.create(person=member, kind=PersonFact.Kind.LABOUR, value=LabourCapacity.NONE,
                              valid_from=date(2020, 1, 1), area_id=member.area_id)
    refused = client.post(f"/assistance/enrolments/{dibao.pk}/do/refusal/",
                          {"person": member.pk, "refused_on": "2026-02-21", "job": "保洁"})
    assert refused.status_code == 400 and "不适用拒绝就业的规定" in refused.content.decode()
    assert WorkRefusal.objects.filter(person=member).count() == 1


def test_the_page_is_scoped_and_needs_the_change_grant(login, staff, dibao, tekun):
    assert login(staff["outsider"]).get(f"/assistance/enrolments/{dibao.pk}/").status_code == 404
    client = login(staff["leader"])
    html = page(client, tekun)
    assert "发布终止公示" not in html and "登记变化并安排重新评估" not in html
    assert client.post(f"/assistance/enrolments/{tekun.pk}/do/notice/",
                       {"ground": "other", "reason": "x"}).status_code == 403
    assert not TerminationNotice.objects.exists()


def test_the_household_history_links_to_the_enrolment_page(login, staff, dibao):
    html = login(staff["town_officer"]).get(f"/assistance/households/{dibao.household_id}/chain/").content.decode()
    assert f"/assistance/enrolments/{dibao.pk}/" in html


def test_the_apply_page_takes_a_single_person_application_and_names_a_missing_ground(login, staff, families):
    """单人户 on the application page: refused on its field while the registry holds no ground; nothing saved."""
    from casework.models import Case

    household, (head, member) = families.household(["冯一", "冯二"])
    client = login(staff["town_officer"])
    form = {"program": "dibao", "household": household.pk, "channel": "worker", "single_person": member.pk,
            "single_person_ground": "disability"}
    response = client.post("/assistance/apply/", form)
    assert response.status_code == 200 and "冯二没有一级、二级残疾" in response.content.decode()
    assert not Case.objects.exists()
    from registry.services import disability_record

    disability_record(acting_user=staff["district_officer"], person=member, category="visual", grade=1)
    assert client.post("/assistance/apply/", form).status_code == 302
    case = Case.objects.get()
    assert (case.applicant, case.inputs["single_person_ground"]) == (member, "disability")
