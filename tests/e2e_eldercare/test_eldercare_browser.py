"""Browser test (浏览器测试): a community worker opens the time bank from the menu, records a volunteer's hours, is
refused an overdraft with a Chinese error naming the balance; then registers a home-adaptation assessment and its
plan. Headless Debian Chromium against a live server."""

import pytest

from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_worker_records_hours_is_refused_an_overdraft_and_plans_an_adaptation(page, live_server, personas, elders,
                                                                              areas, shots):
    from playwright.sync_api import expect

    from registry.services import household_create

    household_create(acting_user=personas["district_officer"], area_code=areas["community_a"], hukou_type="urban",
                     members=[{"person": elders["old_a"], "relation": "head"}])
    log_in(page, live_server, "cw")
    page.get_by_role("link", name="时间银行").first.click()
    page.wait_for_url(f"{live_server.url}/eldercare/time-bank/")
    page.get_by_label("查找志愿者（姓名），记录服务时间").fill("周青")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name="时间账户").first.click()
    expect(page.locator("h1")).to_contain_text("周青")
    page.get_by_label("小时数").fill("3")
    page.get_by_label("服务内容").fill("陪伴独居老人")
    page.get_by_role("button", name="记录").click()
    expect(page.get_by_test_id("timebank-balance")).to_have_text("3.00")
    page.get_by_label("类型").select_option("spend")
    page.get_by_label("小时数").fill("5")
    page.get_by_label("服务内容").fill("兑换助浴")
    page.get_by_role("button", name="记录").click()
    expect(page.locator("body")).to_contain_text("时间余额不足：周青现有3.00小时，不能支取5.00小时")
    expect(page.get_by_test_id("timebank-balance")).to_have_text("3.00")
    page.screenshot(path=str(shots / "eldercare-timebank-overdraft.png"), full_page=True)

    page.get_by_role("link", name="适老化改造").first.click()
    page.get_by_label("查找60周岁以上老人（姓名），登记入户评估").fill("钱老")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name="登记入户评估").first.click()
    page.get_by_label("评估发现的改造需求").fill("卫生间无扶手")
    page.get_by_role("button", name="登记入户评估").click()
    expect(page.get_by_test_id("adaptation-stage")).to_have_text("入户评估")
    page.get_by_label("改造方案", exact=True).fill("加装扶手、防滑地砖")
    page.get_by_label("改造费用（元）").fill("3200")
    page.get_by_role("button", name="登记改造方案").click()
    expect(page.get_by_test_id("adaptation-stage")).to_have_text("改造方案")
    expect(page.get_by_test_id("adaptation-steps")).to_contain_text("入户评估")
    page.screenshot(path=str(shots / "eldercare-adaptation.png"), full_page=True)
