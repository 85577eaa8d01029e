"""家庭监测链条 in a real browser: from the warning list to the household's timeline (screenshot for a person)."""

import pytest

from tests.browser import log_in
from tests.monitoring.test_chain import story  # noqa: F401 — the fixture: a marriage, an escalation, a funeral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_warning_list_leads_to_the_household_chain(page, live_server, story, shots):  # noqa: F811
    log_in(page, live_server, "do")
    page.goto(f"{live_server.url}/monitoring/?status=all")
    page.locator("[data-testid=chain-link]").first.click()
    page.wait_for_selector("[data-testid=chain-timeline]")
    kinds = page.locator("[data-testid=chain-timeline] li").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert {"data", "warning", "task", "enrolment", "recheck", "household"} <= set(kinds)
    assert kinds.index("data") < kinds.index("warning")
    assert page.get_by_text("高龄津贴（张三）：终止（停发）").is_visible()
    page.screenshot(path=str(shots / "monitoring-household-chain.png"), full_page=True)
