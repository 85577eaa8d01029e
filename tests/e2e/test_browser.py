"""Browser test (浏览器测试): a community worker finds a person by pinyin initials, opens the person and the
household, and sees the members — through headless Chromium against a live server, htmx included.

Uses Debian's /usr/bin/chromium; nothing downloads a browser. Screenshots go to the test's tmp dir, or to
$E2E_SCREENSHOT_DIR when set, so a person can look at the pages.
"""

import pytest

from audit.models import AccessLog
from registry.models import Household
from registry.services import person_create
from tests.browser import log_in
from tests.conftest import make_id

# The live server flushes the database afterwards; serialized rollback puts back the rows data migrations
# seeded (grants, income categories) for this test.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_find_person_by_initials_then_open_household(page, live_server, personas, registry_data, areas, shots):
    from playwright.sync_api import expect

    # Same initials as 张三 (zs) but in town B: the worker must never see this person.
    person_create(acting_user=personas["district_officer"], name="张山", area_code=areas["community_b"],
                  id_number=make_id("500106", "19750505", 5))
    log_in(page, live_server, "cw")
    expect(page.get_by_test_id("current-user")).to_have_text("cw")
    page.click("text=居民信息库")
    # Typing fires keyup; htmx swaps in only the results table.
    page.locator("#q").press_sequentially("zs", delay=50)
    results = page.locator("#person-results")
    expect(results).not_to_contain_text("李四")
    expect(results).to_contain_text("张三")
    expect(results).not_to_contain_text("张山")  # same initials, other town: never shown
    assert "q=zs" in page.url, "the search is in the address bar"
    page.screenshot(path=str(shots / "person-list.png"), full_page=True)

    results.get_by_role("link", name="张三").click()
    expect(page.locator("h1")).to_have_text("张三")
    a1 = registry_data["a1"]
    expect(page.get_by_test_id("id-masked")).to_have_text(a1.masked_id_number)
    page.get_by_role("button", name="显示完整号码").click()  # htmx POST with the CSRF header
    expect(page.get_by_test_id("id-full")).to_have_text(a1.id_number)
    assert AccessLog.objects.filter(person=a1, kind=AccessLog.Kind.REVEAL_ID).count() == 1
    page.screenshot(path=str(shots / "person-detail.png"), full_page=True)

    page.get_by_test_id("household-link").click()
    members = page.get_by_test_id("member-table")
    expect(members).to_contain_text("张三")
    expect(members).to_contain_text("李四")
    expect(members).to_contain_text("户主")
    expect(members).to_contain_text("配偶")
    page.screenshot(path=str(shots / "household-detail.png"), full_page=True)


def test_create_household_picking_members_by_autocomplete(page, live_server, personas, registry_data, areas,
                                                          shots):
    from playwright.sync_api import expect

    newcomer = person_create(acting_user=personas["district_officer"], name="孙七", area_code=areas["community_a"],
                             id_number=make_id("500106", "19880808", 8))
    log_in(page, live_server, "cw")
    page.goto(f"{live_server.url}/households/new/")
    page.select_option("#id_area", areas["community_a"])
    page.select_option("#id_hukou_type", "urban")
    page.fill("#id_address", "小龙坎正街9号")
    page.locator("#id_members-0-person-search").press_sequentially("sunqi", delay=30)
    option = page.locator("#id_members-0-person-results [data-pick-value]")
    expect(option).to_have_count(1)
    option.click()
    expect(page.locator("#id_members-0-person-label")).to_contain_text("孙七")
    page.screenshot(path=str(shots / "household-create.png"), full_page=True)
    page.get_by_role("button", name="新建家庭").click()
    expect(page.get_by_test_id("member-table")).to_contain_text("孙七")
    household = Household.objects.get(address="小龙坎正街9号")
    assert list(household.members.values_list("person_id", "relation")) == [(newcomer.pk, "head")]


def test_area_filter_keeps_working_after_its_own_swap(page, live_server, personas, registry_data, areas):
    """Picking a town swaps the results and the community list (out of band); a second pick must still search."""
    from playwright.sync_api import expect

    log_in(page, live_server, "do")
    page.goto(f"{live_server.url}/persons/")
    results = page.locator("#person-results")
    expect(results).to_contain_text("王五")
    page.select_option("select[name=town]", areas["town_a"])
    expect(results).not_to_contain_text("王五")
    expect(results).to_contain_text("张三")
    community = page.locator("select[name=community]")
    expect(community.locator(f"option[value='{areas['community_a']}']")).to_have_count(1)
    expect(community.locator(f"option[value='{areas['community_b']}']")).to_have_count(0)
    # The selects were replaced by the swap; the form still hears their "change".
    page.select_option("select[name=town]", areas["town_b"])
    expect(results).to_contain_text("王五")
    expect(results).not_to_contain_text("张三")
    assert f"town={areas['town_b']}" in page.url
