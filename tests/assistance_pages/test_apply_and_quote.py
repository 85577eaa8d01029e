"""New application through the page (household picker limited to the user's area, the authorisation box), and
the 测算 page that runs the same quote as the case."""

import pytest
from django.urls import reverse

from casework.models import Case

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


def test_worker_applies_for_a_household_with_the_authorisation(login, staff, cases):
    household, _ = cases.household(("申请户主", "申请配偶"))
    client = login(staff["community_worker"])
    response = client.post(reverse("assistance-apply"), {"program": "dibao", "household": household.pk,
                                                          "channel": "worker", "authorised_data_check": "on"})
    case = Case.objects.get(household=household)
    assert response.status_code == 302 and response["Location"] == reverse("assistance-case", args=[case.pk])
    assert (case.state, case.application.authorised_data_check, case.applicant.name) == ("submitted", True, "申请户主")
    assert case.submitted_by_id == staff["community_worker"].pk


def test_a_household_outside_the_area_is_not_a_valid_choice(login, staff, cases):
    household_b, _ = cases.household(("外镇户",), area=cases.families.areas["community_b"])
    response = login(staff["town_officer"]).post(reverse("assistance-apply"),
                                                 {"program": "dibao", "household": household_b.pk,
                                                  "channel": "worker"})
    assert response.status_code == 200 and "所选家庭不存在或不在您的管辖范围内" in _html(response)
    assert not Case.objects.exists()


def test_service_refusals_are_shown_on_the_fields(login, staff, cases):
    case = cases.make("submitted")
    client = login(staff["town_officer"])
    duplicate = client.post(reverse("assistance-apply"), {"program": "dibao", "household": case.household_id,
                                                          "channel": "worker"})
    assert f"已有办理中的最低生活保障（低保）申请（案件 {case.pk}）" in _html(duplicate)
    linshi = client.post(reverse("assistance-apply"), {"program": "linshi", "household": case.household_id,
                                                       "channel": "worker"})
    html = _html(linshi)
    assert "请选择临时救助类型" in html
    field = html[html.index('name="linshi_kind"'):html.index('name="amount"')]
    assert "请选择临时救助类型" in field  # on the field itself, not only at the top
    assert Case.objects.count() == 1


def test_household_autocomplete_is_scoped(login, staff, cases):
    mine, _ = cases.household(("欧阳甲",))
    theirs, _ = cases.household(("欧阳乙",), area=cases.families.areas["community_b"])
    html = _html(login(staff["town_officer"]).get(reverse("assistance-household-autocomplete"),
                                                  {"q": "欧阳", "field": "id_household"}))
    assert f'data-pick-value="{mine.pk}"' in html and 'data-pick-target="id_household"' in html
    assert f'data-pick-value="{theirs.pk}"' not in html and "欧阳乙" not in html


def test_quote_page_shows_the_lines(login, staff, cases):
    household, _ = cases.household(("测算户", "测算妻"))
    client = login(staff["town_officer"])
    response = client.get(reverse("assistance-quote"), {"program": "dibao", "household": household.pk,
                                                        "month": "2026-03"})
    html = _html(response)
    result = html[html.index('data-testid="quote-result"'):]
    assert "符合条件" in result and "月金额 540.00 元" in result
    assert "低保金 = 270.00 × 2" in result and "渝民规〔2025〕6号" in result


def test_quote_page_errors(login, staff, cases):
    household_b, _ = cases.household(("外镇测算",), area=cases.families.areas["community_b"])
    client = login(staff["town_officer"])
    outside = _html(client.get(reverse("assistance-quote"), {"program": "dibao", "household": household_b.pk,
                                                             "month": "2026-03"}))
    assert "所选家庭不存在或不在您的管辖范围内" in outside and 'data-testid="quote-result"' not in outside
    no_person = _html(client.get(reverse("assistance-quote"), {"program": "tekun", "month": "2026-03"}))
    assert "以个人为单位测算，请指定人员" in no_person
