"""The bank page in a real browser: the officer exports the bank files and sees each file's checksum; the
reconciliation table is there (screenshot in the test's tmp dir, or $E2E_SCREENSHOT_DIR)."""

import pytest

from payments.models import BankFile
from tests.browser import log_in, page, shots  # noqa: F401 (fixtures)
from tests.payments.bankkit import approved_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_officer_exports_bank_files_in_the_browser(page, live_server, shots, roll, officer, approver,  # noqa: F811
                                                   generate):
    cycle, _ = approved_cycle(roll, officer, approver, generate)
    log_in(page, live_server, officer.username)
    page.goto(f"{live_server.url}/payments/cycles/{cycle.pk}/bank/")
    page.get_by_role("button", name="导出银行代发文件").click()
    page.wait_for_selector("text=已导出2个银行代发文件")
    for bank_file in BankFile.objects.filter(cycle=cycle):
        assert page.locator(f"code:has-text('{bank_file.checksum}')").count() == 1
    assert page.locator("[data-testid=reconciliation-1]").is_visible()
    page.screenshot(path=str(shots / "bank-section.png"), full_page=True)
