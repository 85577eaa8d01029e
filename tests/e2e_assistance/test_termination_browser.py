"""Browser test (浏览器测试): a town officer ends a 特困 enrolment the lawful way — from the household's 救助历史 to
the enrolment page, posts the 7-day 终止公示, cannot end it during the notice, and ends it once it has run."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from programs.models import Enrolment
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_town_officer_posts_the_notice_then_ends_the_enrolment(page, live_server, families, staff, clock, shots):
    from playwright.sync_api import expect

    household, (elder,) = families.household(["浏览器五保"], births=["19450101"])
    enrolment = Enrolment.objects.create(program_id="tekun", person=elder, household=household,
                                         area_id=household.area_id, monthly_amount=Decimal("1501.00"),
                                         start_month=date(2025, 6, 1), care_level="full")
    clock.set(date(2026, 3, 2))
    log_in(page, live_server, "to")
    page.goto(f"{live_server.url}/assistance/households/{household.pk}/chain/")
    page.get_by_test_id("enrolment-link").click()
    form = page.get_by_test_id("notice-form")
    form.locator("select[name=ground]").select_option(label="有了具备履行能力的法定义务人")
    form.locator("textarea[name=reason]").fill("子女返乡，具备赡养能力")
    form.locator("input[name=starts_on]").fill("2026-03-02")
    form.get_by_role("button", name="发布终止公示").click()
    expect(page.get_by_role("alert")).to_contain_text("已发布终止公示：2026-03-02至2026-03-08")
    expect(page.get_by_test_id("termination-wait")).to_contain_text("公示期满（2026-03-08）后方可终止待遇")
    expect(page.get_by_test_id("termination-end")).to_have_count(0)
    page.screenshot(path=str(shots / "termination-notice.png"), full_page=True)

    clock.set(date(2026, 3, 8) + timedelta(days=1))
    page.reload()
    page.get_by_test_id("termination-end").click()
    expect(page.get_by_test_id("enrolment-status")).to_have_text("终止")
    expect(page.get_by_role("alert")).to_contain_text("2026年03月为最后发放月份")
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_month) == ("ended", date(2026, 3, 1))
