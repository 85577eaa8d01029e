"""Browser test (浏览器测试): a town officer opens the work queue, opens a case, accepts it — through headless
Chromium against a live server. Uses Debian's /usr/bin/chromium; nothing downloads a browser. Screenshots go
to the test's tmp dir, or to $E2E_SCREENSHOT_DIR when set."""

from datetime import date

import pytest

from casework.models import Case
from tests.browser import log_in

# The live server flushes the database afterwards; serialized rollback puts back the rows data migrations
# seeded (grants, programmes, parameters) for the tests that follow.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_town_officer_accepts_a_case_from_the_queue(page, live_server, cases, clock, shots):
    from playwright.sync_api import expect

    case = cases.make("submitted", names=("浏览器户主", "浏览器配偶"))
    later = cases.make("accepted", names=("已受理户",))
    log_in(page, live_server, "to")
    page.get_by_role("link", name="社会救助").click()
    queue = page.get_by_test_id("queue-table")
    expect(queue).to_contain_text("浏览器户主")
    expect(queue).to_contain_text("剩 3 个工作日")  # the accepted case's investigation deadline
    page.screenshot(path=str(shots / "assistance-queue.png"), full_page=True)

    queue.locator(f'a[href="/assistance/cases/{case.pk}/"]').click()
    expect(page.get_by_test_id("case-status")).to_have_text("已申请（待受理）")
    accept = page.get_by_test_id("action-accept")
    accept.locator("summary").click()
    accept.locator("input[name=date]").fill("2026-02-27")
    page.screenshot(path=str(shots / "assistance-case.png"), full_page=True)
    page.get_by_test_id("submit-accept").click()

    expect(page.get_by_test_id("case-status")).to_have_text("已受理（待入户调查）")
    expect(page.get_by_role("alert")).to_contain_text("已受理，受理日期 2026-02-27")
    expect(page.get_by_test_id("deadline-table")).to_contain_text("启动家庭经济状况调查期限")
    page.screenshot(path=str(shots / "assistance-case-accepted.png"), full_page=True)
    case.refresh_from_db()
    assert (case.state, case.accepted_on) == ("accepted", date(2026, 2, 27))
    assert Case.objects.get(pk=later.pk).state == "accepted"
