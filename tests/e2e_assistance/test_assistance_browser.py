"""Browser test (浏览器测试): a town officer opens the work queue, opens a case, accepts it — through headless
Chromium against a live server. Uses Debian's /usr/bin/chromium; nothing downloads a browser. Screenshots go
to the test's tmp dir, or to $E2E_SCREENSHOT_DIR when set."""

import os
from datetime import date
from pathlib import Path

import pytest

from casework.models import Case
from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls in the test body are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# The live server flushes the database afterwards; serialized rollback puts back the rows data migrations
# seeded (grants, programmes, parameters) for the tests that follow.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"浏览器测试需要 {CHROMIUM}（make install-browser）")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("E2E_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_town_officer_accepts_a_case_from_the_queue(page, live_server, cases, clock, shots):
    from playwright.sync_api import expect

    case = cases.make("submitted", names=("浏览器户主", "浏览器配偶"))
    later = cases.make("accepted", names=("已受理户",))
    _log_in(page, live_server, "to")
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
