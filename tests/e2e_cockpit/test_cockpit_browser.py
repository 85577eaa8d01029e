"""Browser test (浏览器测试): a leader opens the cockpit and the charts are drawn — an ECharts SVG with a real size in
each trend chart and in the town ranking, not only the page loaded. Headless Debian Chromium, live server."""

import pytest

from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_leader_sees_the_charts_rendered(page, live_server, personas, shots):
    from playwright.sync_api import expect

    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server, "ld")
    page.get_by_role("link", name="数字驾驶舱").first.click()
    page.wait_for_url(f"{live_server.url}/cockpit/")
    expect(page.get_by_test_id("key-figures")).to_contain_text("农村低保标准占城市低保标准比例")
    trend = page.locator("#trend-dibao_rural_urban_ratio svg")
    expect(trend).to_have_count(1)
    box = trend.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    # The line is drawn: ECharts writes a <path> for the series.
    assert page.locator("#trend-dibao_rural_urban_ratio svg path").count() > 0
    ranking = page.locator("#ranking-chart svg")
    expect(ranking).to_have_count(1)
    assert ranking.bounding_box()["height"] > 100
    assert page.get_by_test_id("trend-chart").count() >= 3
    page.screenshot(path=str(shots / "cockpit-leader.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e or "echarts" in e.lower()], errors
