"""Browser tests (浏览器测试): each persona logs in and finds their own work on the home page (工作台), then opens
it — headless Debian Chromium against a live server."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance import services
from payments.models import PaymentCycle, PaymentException
from programs.models import Enrolment
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_community_worker_finds_the_application_they_submitted(page, live_server, staff, cases, shots):
    from playwright.sync_api import expect

    household, _ = cases.household(("柳协理", "柳妻"))
    case = services.application_submit(acting_user=staff["community_worker"], program="dibao", household=household,
                                       authorised_data_check=True)
    log_in(page, live_server, "cw")
    block = page.get_by_test_id("desk-my-applications")
    expect(block).to_contain_text("柳协理")
    expect(block).to_contain_text("已申请（待受理）")
    page.screenshot(path=str(shots / "desk-community-worker.png"), full_page=True)
    block.get_by_test_id("desk-case-link").filter(has_text="柳协理").click()
    page.wait_for_url(f"{live_server.url}/assistance/cases/{case.pk}/")


def test_town_officer_finds_the_new_application_to_accept_first(page, live_server, cases, shots):
    from playwright.sync_api import expect

    cases.make("accepted", names=("有期限户", "有期限妻"))
    new = cases.make("submitted", names=("待受理户", "待受理妻"))
    log_in(page, live_server, "to")
    block = page.get_by_test_id("desk-application-queue")
    expect(block).to_contain_text("新申请待受理")
    expect(block.get_by_test_id("desk-case-link").first).to_contain_text("待受理户")
    page.screenshot(path=str(shots / "desk-town-officer.png"), full_page=True)
    block.get_by_test_id("desk-case-link").first.click()
    page.wait_for_url(f"{live_server.url}/assistance/cases/{new.pk}/")


def test_district_officer_goes_from_the_missing_account_to_its_form(page, live_server, staff, cases, areas, shots):
    from playwright.sync_api import expect

    person = cases.families.person("缺卡人")
    enrolment = Enrolment.objects.create(program_id="tekun", person=person, area_id=person.area_id,
                                         monthly_amount=Decimal("900"), start_month=date(2026, 1, 1))
    cycle = PaymentCycle.objects.create(district_id=areas["district"], month=date(2026, 3, 1),
                                        status=PaymentCycle.Status.GENERATED, created_by=staff["district_officer"])
    line = cycle.lines.create(enrolment=enrolment, program_id="tekun", person=person, area_id=person.area_id,
                              month=cycle.month, covered_month=cycle.month, kind="regular", amount=Decimal("900"))
    PaymentException.objects.create(cycle=cycle, line=line, area_id=person.area_id, kind="bank_account_missing",
                                    detail="无有效银行账户", found_at=timezone.now())
    log_in(page, live_server, "do")
    block = page.get_by_test_id("desk-payment-exceptions")
    expect(block).to_contain_text("银行账户缺失或无效")
    page.screenshot(path=str(shots / "desk-district-officer.png"), full_page=True)
    block.get_by_role("link").filter(has_text="缺卡人").click()
    expect(page.locator("h1")).to_contain_text("缺卡人")
    expect(page.get_by_test_id("account-form")).to_be_visible()


def test_approver_finds_the_cycle_awaiting_approval(page, live_server, staff, areas, shots):
    from playwright.sync_api import expect

    cycle = PaymentCycle.objects.create(district_id=areas["district"], month=date(2026, 3, 1), line_count=1234,
                                        total_amount=Decimal("1234567.80"), status=PaymentCycle.Status.GENERATED,
                                        created_by=staff["district_officer"])
    log_in(page, live_server, "da")
    block = page.get_by_test_id("desk-cycles")
    expect(block).to_contain_text("1,234 条")
    expect(block).to_contain_text("1,234,567.80 元")
    page.screenshot(path=str(shots / "desk-approver.png"), full_page=True)
    block.get_by_role("link").last.click()
    page.wait_for_url(f"{live_server.url}/payments/cycles/{cycle.pk}/")


def test_leader_sees_the_area_figures_and_the_overdue_list(page, live_server, cases, clock, shots):
    from playwright.sync_api import expect

    late = cases.make("accepted", names=("迟办户", "迟办妻"))
    clock.set(date(2026, 4, 30))
    log_in(page, live_server, "ld")
    expect(page.get_by_test_id("figure-cases-open")).to_have_text("1")
    expect(page.get_by_test_id("figure-cases-overdue")).to_have_text("1")
    overdue = page.get_by_test_id("desk-overdue-applications")
    expect(overdue).to_contain_text("迟办户")
    page.screenshot(path=str(shots / "desk-leader.png"), full_page=True)
    overdue.get_by_test_id("desk-case-link").first.click()
    page.wait_for_url(f"{live_server.url}/assistance/cases/{late.pk}/")
