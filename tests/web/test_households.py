"""Household pages: scoped list and detail, creation with members, members in and out, income, assets, edits."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.identity import mask_id_number
from registry.models import Asset, Household, HouseholdMember, Income
from registry.services import person_create
from tests.conftest import make_id
from tests.web.conftest import htmx

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def newcomers(personas, areas):
    """Two people in community A who belong to no household yet."""
    officer = personas["district_officer"]
    return [person_create(acting_user=officer, name=name, area_code=areas["community_a"],
                          id_number=make_id("500106", birth, seq))
            for name, birth, seq in (("孙七", "19880808", 8), ("孙小八", "20150909", 9))]


def _formset(rows: list[tuple[int | str, str]], total: int = 5) -> dict:
    data = {"members-TOTAL_FORMS": str(total), "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "1000"}
    for index, (person, relation) in enumerate(rows):
        data[f"members-{index}-person"] = str(person)
        data[f"members-{index}-relation"] = relation
    return data


# ---- list and detail ---------------------------------------------------------------------------------------


def test_list_is_scoped(login, personas, registry_data):
    town_a = _html(login(personas["town_officer"]).get(reverse("household-list")))
    assert "张三" in town_a and "王五" not in town_a
    town_b = _html(login(personas["outsider"]).get(reverse("household-list")))
    assert "王五" in town_b and "张三" not in town_b


def test_list_search_by_member_is_scoped(login, personas, registry_data):
    client = login(personas["town_officer"])
    assert "张三" in _html(htmx(client, reverse("household-list"), {"q": "lisi"}))
    assert "张三" not in _html(htmx(client, reverse("household-list"), {"q": "wangwu"}))
    assert "王五" not in _html(htmx(client, reverse("household-list"), {"q": "wangwu"}))


def test_detail_lists_members_with_masked_id_and_age(login, personas, registry_data):
    household, a1 = registry_data["household_a"], registry_data["a1"]
    html = _html(login(personas["community_worker"]).get(reverse("household-detail", args=[household.pk])))
    assert "张三" in html and "李四" in html and "户主" in html and "配偶" in html
    assert mask_id_number(a1.id_number) in html and a1.id_number not in html
    today = timezone.localdate()
    age = today.year - 1980 - ((today.month, today.day) < (1, 1))
    assert f"<td>{age}</td>" in html
    assert "新建家庭" in html and "张三 加入家庭（户主）" in html, "timeline"
    assert "家庭成员 · 新增" in html, "member changes appear in the household history"
    assert '<span class="text-secondary">人员</span>：<span>李四</span>' in html, "people are named, not numbered"


def test_detail_outside_scope_is_404(login, personas, registry_data):
    household = registry_data["household_a"]
    assert login(personas["outsider"]).get(reverse("household-detail", args=[household.pk])).status_code == 404
    household_b = registry_data["household_b"]
    assert login(personas["town_officer"]).get(reverse("household-detail", args=[household_b.pk])).status_code == 404


# ---- create ------------------------------------------------------------------------------------------------


def test_create_household_with_members(login, personas, areas, newcomers):
    head, child = newcomers
    data = {"area": areas["community_a"], "hukou_type": "rural", "address": "小龙坎正街1号",
            **_formset([(head.pk, "head"), (child.pk, "child")])}
    response = login(personas["community_worker"]).post(reverse("household-create"), data)
    household = Household.objects.get(address="小龙坎正街1号")
    assert response.status_code == 302 and response.url == reverse("household-detail", args=[household.pk])
    members = {m.person_id: m.relation for m in household.members.filter(is_active=True)}
    assert members == {head.pk: "head", child.pk: "child"}
    assert household.area_id == areas["community_a"] and household.hukou_type == "rural"


def test_create_household_without_head_shows_error_and_saves_nothing(login, personas, areas, newcomers):
    data = {"area": areas["community_a"], "hukou_type": "urban", "address": "无户主",
            **_formset([(newcomers[0].pk, "spouse")])}
    response = login(personas["community_worker"]).post(reverse("household-create"), data)
    assert response.status_code == 200 and "家庭应有且只有一名户主" in _html(response)
    assert not Household.objects.filter(address="无户主").exists()


def test_create_household_refuses_a_person_outside_scope(login, personas, areas, registry_data, newcomers):
    data = {"area": areas["community_a"], "hukou_type": "urban", "address": "越界",
            **_formset([(newcomers[0].pk, "head"), (registry_data["b1"].pk, "spouse")])}
    response = login(personas["community_worker"]).post(reverse("household-create"), data)
    html = _html(response)
    assert response.status_code == 200 and "所选人员不存在或不在您的管辖范围内" in html
    assert "王五" not in html, "the out-of-scope person's name is not echoed back"
    assert not Household.objects.filter(address="越界").exists()


def test_create_household_refuses_a_member_of_another_household(login, personas, areas, registry_data, newcomers):
    data = {"area": areas["community_a"], "hukou_type": "urban", "address": "重复",
            **_formset([(newcomers[0].pk, "head"), (registry_data["a2"].pk, "spouse")])}
    response = login(personas["community_worker"]).post(reverse("household-create"), data)
    assert response.status_code == 200 and "已是另一家庭" in _html(response)
    assert not Household.objects.filter(address="重复").exists()
    assert not HouseholdMember.objects.filter(person=newcomers[0]).exists()


def test_create_household_form_offers_in_scope_communities(login, personas, areas):
    html = _html(login(personas["town_officer"]).get(reverse("household-create")))
    assert areas["community_a"] in html and areas["community_a2"] in html and areas["community_b"] not in html
    assert login(personas["town_reviewer"]).get(reverse("household-create")).status_code == 403


# ---- members -----------------------------------------------------------------------------------------------


def test_add_and_remove_member(login, personas, registry_data, newcomers):
    household = registry_data["household_a"]
    client = login(personas["community_worker"])
    url = reverse("household-member-add", args=[household.pk])
    assert client.post(url, {"new-person": newcomers[1].pk, "new-relation": "child"}).status_code == 302
    member = HouseholdMember.objects.get(household=household, person=newcomers[1], is_active=True)
    response = client.post(reverse("household-member-remove", args=[household.pk]),
                           {"member": member.pk, "reason": "分户", "on": "2026-02-01"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.is_active, member.left_on) == (False, date(2026, 2, 1))
    html = _html(client.get(reverse("household-detail", args=[household.pk])))
    assert "孙小八 离开家庭（分户）" in html and "原因：分户" in html


def test_add_member_refuses_out_of_scope_person(login, personas, registry_data, lookalikes):
    household = registry_data["household_a"]
    response = login(personas["community_worker"]).post(
        reverse("household-member-add", args=[household.pk]),
        {"new-person": lookalikes["zhao_a2"].pk, "new-relation": "other"})
    assert response.status_code == 200 and "所选人员不存在或不在您的管辖范围内" in _html(response)
    assert not HouseholdMember.objects.filter(person=lookalikes["zhao_a2"]).exists()


def test_remove_member_of_another_household_is_refused(login, personas, registry_data):
    other = HouseholdMember.objects.get(household=registry_data["household_b"])
    response = login(personas["district_officer"]).post(
        reverse("household-member-remove", args=[registry_data["household_a"].pk]),
        {"member": other.pk, "reason": "迁出"})
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.is_active


# ---- income, assets, edit ----------------------------------------------------------------------------------


def test_add_income(login, personas, registry_data):
    household, a1 = registry_data["household_a"], registry_data["a1"]
    client = login(personas["community_worker"])
    response = client.post(reverse("household-income-add", args=[household.pk]),
                           {"person": a1.pk, "category": "wage", "monthly_amount": "1500.50",
                            "start_month": "2026-01", "end_month": "", "note": "务工"})
    assert response.status_code == 302
    income = Income.objects.get(household=household)
    assert (income.person, income.category_id, income.monthly_amount, income.start_month, income.end_month) == (
        a1, "wage", Decimal("1500.50"), date(2026, 1, 1), None)
    html = _html(client.get(reverse("household-detail", args=[household.pk])))
    assert "工资性收入" in html and "1500.50" in html and "2026-01" in html
    assert "工资性收入（计入）" in html and "优待抚恤金（不计入）" in html, "the category select says what counts"


def test_income_with_end_before_start_is_refused(login, personas, registry_data):
    household, a1 = registry_data["household_a"], registry_data["a1"]
    response = login(personas["community_worker"]).post(
        reverse("household-income-add", args=[household.pk]),
        {"person": a1.pk, "category": "wage", "monthly_amount": "100", "start_month": "2026-03",
         "end_month": "2026-01"})
    assert response.status_code == 200 and "截止月份不能早于起始月份" in _html(response)
    assert not Income.objects.exists()


def test_income_for_a_non_member_is_refused(login, personas, registry_data, newcomers):
    household = registry_data["household_a"]
    response = login(personas["community_worker"]).post(
        reverse("household-income-add", args=[household.pk]),
        {"person": newcomers[0].pk, "category": "wage", "monthly_amount": "100", "start_month": "2026-01"})
    assert response.status_code == 200 and not Income.objects.exists()


def test_add_asset(login, personas, registry_data):
    household = registry_data["household_a"]
    client = login(personas["town_officer"])
    response = client.post(reverse("household-asset-add", args=[household.pk]),
                           {"kind": "vehicle", "value": "30000", "description": "面包车", "person": "",
                            "exempt": "on"})
    assert response.status_code == 302
    asset = Asset.objects.get(household=household)
    assert (asset.kind, asset.value, asset.exempt, asset.person) == ("vehicle", Decimal("30000.00"), True, None)
    assert "面包车" in _html(client.get(reverse("household-detail", args=[household.pk])))


def test_edit_household_shows_in_history(login, personas, registry_data):
    household = registry_data["household_a"]
    client = login(personas["community_worker"])
    response = client.post(reverse("household-edit", args=[household.pk]),
                           {"hukou_type": "rural", "address": "新地址8号"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.hukou_type, household.address) == ("rural", "新地址8号")
    html = _html(client.get(reverse("household-detail", args=[household.pk])))
    assert '户籍类型</span>：<del class="text-muted">城镇</del> → <span>农村</span>' in html


def test_read_only_role_sees_no_forms_and_cannot_post(login, personas, registry_data):
    household, a1 = registry_data["household_a"], registry_data["a1"]
    client = login(personas["town_reviewer"])
    html = _html(client.get(reverse("household-detail", args=[household.pk])))
    assert "登记收入" not in html and "添加成员" not in html
    response = client.post(reverse("household-income-add", args=[household.pk]),
                           {"person": a1.pk, "category": "wage", "monthly_amount": "1", "start_month": "2026-01"})
    assert response.status_code == 403 and not Income.objects.exists()
