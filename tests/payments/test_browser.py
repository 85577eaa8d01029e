"""Browser test (浏览器测试): the district officer opens a month's cycle, generates it, reads the lines and accepts
the one exception; the approver — another user — approves. Headless Debian Chromium against the live server."""

import pytest

from payments.models import PaymentCycle
from tests.browser import log_in

# The live server flushes the database afterwards; serialized rollback restores the rows data migrations seeded.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_cycle_page_open_generate_accept_and_approve(page, live_server, roll, personas, shots):
    from playwright.sync_api import expect

    roll.enrol("tekun", "1000.00", person=roll.person("浏览器甲"))
    roll.enrol("dibao", "500.00", household=roll.household(people=[roll.person("无账户乙", bank=False)])[0])

    log_in(page, live_server, "do")
    page.get_by_role("link", name="资金发放").click()
    page.locator("#month").fill("2026-03")
    page.get_by_test_id("cycle-open").click()
    expect(page.get_by_test_id("cycle-status")).to_have_text("待生成")
    page.get_by_test_id("cycle-generate").click()
    expect(page.get_by_test_id("cycle-status")).to_have_text("已生成待审批")
    lines = page.get_by_test_id("line-table")
    expect(lines).to_contain_text("浏览器甲")
    expect(lines).to_contain_text("6221**********0001")
    expect(page.get_by_test_id("total-amount")).to_have_text("1,500.00")
    expect(page.get_by_test_id("open-exceptions")).to_contain_text("1 条")
    page.screenshot(path=str(shots / "payment-cycle-generated.png"), full_page=True)

    exceptions = page.get_by_test_id("exception-table")
    expect(exceptions).to_contain_text("银行账户缺失或无效")
    exceptions.locator("input[name=reason]").fill("本月由社区代为现金发放")
    exceptions.get_by_role("button", name="核实认可").click()
    expect(page.get_by_role("alert")).to_contain_text("已核实认可")
    expect(page.get_by_test_id("open-exceptions")).to_have_count(0)

    # The cycle page loads its bank section by htmx, and every response re-sends the session cookie
    # (SESSION_SAVE_EVERY_REQUEST): wait until nothing is in flight, or a late answer logs the maker back in.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    log_in(page, live_server, "da")
    expect(page.locator("header, nav").first).to_contain_text("da")
    cycle = PaymentCycle.objects.get()
    page.goto(f"{live_server.url}/payments/cycles/{cycle.pk}/")
    page.get_by_test_id("cycle-approve").click()
    expect(page.get_by_role("alert")).to_contain_text("已审批")
    expect(page.get_by_test_id("cycle-status")).to_have_text("已审批")
    page.screenshot(path=str(shots / "payment-cycle-approved.png"), full_page=True)
    cycle.refresh_from_db()
    assert cycle.status == "approved" and cycle.approved_by == personas["district_approver"]
