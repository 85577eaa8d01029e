"""Who may open which assistance page: the right roles see it; a user without the grant gets 403; a user from
another town gets 404 for a town-A record, on every page that shows one."""

import pytest
from django.urls import reverse

from accounts.services import user_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_role(areas):
    return user_create(username="nr", password=PASSWORD, roles=[], area_code=areas["town_a"], validate=False)


def _html(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("name", ["assistance-queue", "assistance-overdue", "assistance-quote", "assistance-apply"])
def test_section_pages_refuse_a_user_without_the_grant(login, no_role, name):
    response = login(no_role).get(reverse(name))
    assert response.status_code == 403
    assert "无此操作权限" in _html(response)


@pytest.mark.parametrize("who", ["town_officer", "town_reviewer", "district_officer", "district_approver", "leader"])
def test_section_pages_render_for_the_assistance_roles(login, staff, who):
    client = login(staff[who])
    for name in ("assistance-queue", "assistance-overdue", "assistance-quote"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "社会救助" in _html(response)


def test_apply_page_only_for_those_who_may_submit(login, staff):
    assert login(staff["community_worker"]).get(reverse("assistance-apply")).status_code == 200
    assert login(staff["town_reviewer"]).get(reverse("assistance-apply")).status_code == 403


def test_navigation_shows_the_section_to_assistance_roles_only(login, staff, no_role):
    assert 'href="/assistance/"' in _html(login(staff["town_officer"]).get(reverse("home")))
    assert 'href="/assistance/"' not in _html(login(no_role).get(reverse("home")))


def test_case_page_renders_in_town_a_and_is_404_for_town_b(login, staff, cases):
    case = cases.make("accepted")
    officer = login(staff["town_officer"]).get(reverse("assistance-case", args=[case.pk]))
    assert officer.status_code == 200
    assert "受理" in _html(officer) and str(case.household) in _html(officer)
    district = login(staff["district_approver"]).get(reverse("assistance-case", args=[case.pk]))
    assert district.status_code == 200
    outsider = login(staff["outsider"]).get(reverse("assistance-case", args=[case.pk]))
    assert outsider.status_code == 404


def test_every_page_of_a_town_a_record_is_404_for_the_outsider(login, staff, cases):
    case = cases.make("confirmed")
    recheck = case.enrolment.rechecks.get()
    notice = case.notices.get()
    client = login(staff["outsider"])
    urls = [reverse("assistance-case", args=[case.pk]), reverse("assistance-household-chain", args=[case.household_id]),
            reverse("assistance-case-pdf", args=[case.pk, "form"]),
            reverse("assistance-case-pdf", args=[case.pk, "decision"]),
            reverse("assistance-notice-pdf", args=[notice.pk]), reverse("assistance-recheck", args=[recheck.pk]),
            reverse("assistance-notice-pdf") + f"?area={case.area_id}"]
    for url in urls:
        assert client.get(url).status_code == 404, url
    # and a step posted from town B changes nothing
    response = client.post(reverse("assistance-case-action", args=[case.pk, "withdraw"]), {"reason": "x"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == "confirmed"


def test_outsider_queue_does_not_list_town_a_cases(login, staff, cases):
    town_a = cases.make("submitted", names=("甲户主",))
    town_b = cases.make("submitted", names=("乙户主",), area=cases.families.areas["community_b"])
    html = _html(login(staff["outsider"]).get(reverse("assistance-queue")))
    assert f'href="/assistance/cases/{town_b.pk}/"' in html
    assert f'href="/assistance/cases/{town_a.pk}/"' not in html and "甲户主" not in html


def test_household_chain_renders_for_the_town(login, staff, cases):
    case = cases.make("confirmed")
    response = login(staff["town_officer"]).get(reverse("assistance-household-chain", args=[case.household_id]))
    html = _html(response)
    assert response.status_code == 200
    assert f'href="/assistance/cases/{case.pk}/"' in html
    assert "纳入" in html and "540.00" in html  # the enrolment and its EnrolmentChange history


def test_recheck_page_renders_and_hides_the_form_from_a_user_who_may_not_change(login, staff, cases):
    case = cases.make("confirmed")
    recheck = case.enrolment.rechecks.get()
    approver = _html(login(staff["district_approver"]).get(reverse("assistance-recheck", args=[recheck.pk])))
    assert 'data-testid="recheck-form"' in approver
    town = _html(login(staff["town_officer"]).get(reverse("assistance-recheck", args=[recheck.pk])))
    assert 'data-testid="recheck-form"' in town  # 定期核查 is the town's duty
    reviewer = login(staff["town_reviewer"]).get(reverse("assistance-recheck", args=[recheck.pk]))
    assert reviewer.status_code == 200 and 'data-testid="recheck-form"' not in _html(reviewer)
    refused = login(staff["town_reviewer"]).post(reverse("assistance-recheck", args=[recheck.pk]),
                                                {"outcome": "keep", "reason": "无变化", "household_kind": "stable"})
    assert refused.status_code == 403
    recheck.refresh_from_db()
    assert recheck.status == "due"
