"""Person pages: scoped list, search partial and autocomplete, masked IDs, logged reveal, create and edits."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessLog, ChangeLog
from registry.identity import mask_id_number
from registry.models import Disability, Person
from tests.conftest import make_id
from tests.web.conftest import htmx

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


def _change(label: str, before: str, after: str) -> str:
    """How the history table shows one field changing."""
    return f'<span class="text-secondary">{label}</span>：<del class="text-muted">{before}</del> → <span>{after}</span>'


# ---- list, search, autocomplete: only the user's area ------------------------------------------------------


def test_town_officer_lists_town_a_people_only(login, personas, lookalikes):
    html = _html(login(personas["town_officer"]).get(reverse("person-list")))
    assert "张三" in html and "李四" in html and "赵六" in html
    assert "王五" not in html and "张山" not in html


def test_community_worker_lists_own_community_only(login, personas, lookalikes):
    html = _html(login(personas["community_worker"]).get(reverse("person-list")))
    assert "张三" in html and "李四" in html
    assert "赵六" not in html and "王五" not in html and "张山" not in html


def test_outsider_lists_town_b_people_only(login, personas, lookalikes):
    html = _html(login(personas["outsider"]).get(reverse("person-list")))
    assert "王五" in html and "张山" in html
    assert "张三" not in html and "李四" not in html


def test_search_partial_by_initials_is_scoped(login, personas, lookalikes):
    client = login(personas["town_officer"])
    response = htmx(client, reverse("person-list"), {"q": "zs"})
    html = _html(response)
    assert "<html" not in html, "an htmx request gets only the results partial"
    assert "张三" in html and "张山" not in html and "李四" not in html
    full = _html(client.get(reverse("person-list"), {"q": "zs"}))
    assert "<html" in full and "张三" in full and "张山" not in full
    restore = client.get(reverse("person-list"), {"q": "zs"}, HTTP_HX_REQUEST="true",
                         HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in _html(restore), "the back button gets the whole page"


def test_search_by_pinyin_name_and_id_number(login, personas, registry_data):
    client = login(personas["community_worker"])
    assert "李四" in _html(htmx(client, reverse("person-list"), {"q": "lisi"}))
    assert "张三" not in _html(htmx(client, reverse("person-list"), {"q": "lisi"}))
    assert "李四" in _html(htmx(client, reverse("person-list"), {"q": "李"}))
    found = _html(htmx(client, reverse("person-list"), {"q": registry_data["a1"].id_number}))
    assert "张三" in found and "李四" not in found


def test_search_by_last_digits_of_id_number_and_the_page_says_how(login, personas, registry_data):
    client = login(personas["town_officer"])
    page = _html(client.get(reverse("person-list")))
    assert "尾号后4至6位" in page and "两个字查姓名开头或结尾" in page
    found = _html(htmx(client, reverse("person-list"), {"q": registry_data["a1"].id_number[-4:]}))
    assert "张三" in found and "李四" not in found
    outsider = _html(htmx(login(personas["outsider"]), reverse("person-list"),
                          {"q": registry_data["a1"].id_number[-6:]}))
    assert "张三" not in outsider and "没有找到" in outsider


def test_outsider_cannot_find_town_a_people_by_id_number(login, personas, registry_data):
    html = _html(htmx(login(personas["outsider"]), reverse("person-list"), {"q": registry_data["a1"].id_number}))
    assert "张三" not in html and "没有找到" in html


def test_area_filter_offers_and_applies_only_areas_in_scope(login, personas, areas, lookalikes):
    client = login(personas["town_officer"])
    html = _html(client.get(reverse("person-list"), {"community": areas["community_a2"]}))
    assert "赵六" in html and "张三" not in html
    # A community of another town in the filter is ignored, never widening what is shown.
    html = _html(client.get(reverse("person-list"), {"community": areas["community_b"]}))
    assert "张山" not in html and "王五" not in html and "张三" in html
    district = _html(login(personas["district_officer"]).get(reverse("person-list"), {"town": areas["town_b"]}))
    assert "王五" in district and "张山" in district and "张三" not in district


def test_list_shows_masked_id_numbers_only(login, personas, registry_data):
    html = _html(login(personas["community_worker"]).get(reverse("person-list")))
    for person in (registry_data["a1"], registry_data["a2"]):
        assert person.id_number not in html
        assert mask_id_number(person.id_number) in html


def test_list_is_keyset_paged_without_count_or_offset(login, personas, registry_data, areas, monkeypatch):
    monkeypatch.setattr("web.views.persons.PAGE_SIZE", 1)
    client = login(personas["community_worker"])
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("person-list"))
    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert "COUNT(" not in sql and "OFFSET" not in sql
    html = _html(first)
    assert "张三" in html and "李四" not in html and "下一页" in html
    second = _html(client.get(reverse("person-list"), {"after": registry_data["a1"].pk}))
    assert "李四" in second and "张三" not in second


def test_list_page_query_count_does_not_grow_with_rows(login, personas, registry_data, areas):
    from registry.services import person_create

    client = login(personas["community_worker"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("person-list")).status_code == 200
    for seq in range(30):
        person_create(acting_user=personas["district_officer"], name=f"测试{seq}", area_code=areas["community_a"],
                      id_number=make_id("500106", "19900101", 100 + seq))
    with CaptureQueriesContext(connection) as many:
        html = _html(client.get(reverse("person-list")))
    assert "测试29" in html
    assert len(many.captured_queries) == len(few.captured_queries)


def test_autocomplete_returns_only_in_scope_living_people(login, personas, registry_data, lookalikes):
    client = login(personas["town_officer"])
    html = _html(htmx(client, reverse("person-autocomplete"), {"q": "zs", "field": "id_new-person"}))
    assert "张三" in html and "张山" not in html
    assert f'data-pick-value="{registry_data["a1"].pk}"' in html and 'data-pick-target="id_new-person"' in html
    assert registry_data["a1"].id_number not in html
    outsider = _html(htmx(login(personas["outsider"]), reverse("person-autocomplete"), {"q": "zs", "field": "x"}))
    assert "张山" in outsider and "张三" not in outsider


def test_autocomplete_ignores_a_field_id_that_is_not_an_id(login, personas, registry_data):
    html = _html(htmx(login(personas["town_officer"]), reverse("person-autocomplete"),
                      {"q": "zs", "field": '"><script>'}))
    assert "<script>" not in html and 'data-pick-target=""' in html


# ---- detail ------------------------------------------------------------------------------------------------


def test_detail_shows_identity_household_and_masked_id(login, personas, registry_data):
    a1 = registry_data["a1"]
    html = _html(login(personas["community_worker"]).get(reverse("person-detail", args=[a1.pk])))
    assert "张三" in html and mask_id_number(a1.id_number) in html
    assert a1.id_number not in html, "neither the page nor its change history shows the full number"
    assert reverse("household-detail", args=[registry_data["household_a"].pk]) in html
    assert "显示完整号码" in html
    assert "登记人员 张三" in html, "the domain-event timeline is shown"


def test_detail_outside_scope_is_404(login, personas, registry_data, lookalikes):
    a1 = registry_data["a1"]
    response = login(personas["outsider"]).get(reverse("person-detail", args=[a1.pk]))
    assert response.status_code == 404 and "不在您的管辖范围内" in _html(response) and "张三" not in _html(response)
    zhao = lookalikes["zhao_a2"]
    assert login(personas["community_worker"]).get(reverse("person-detail", args=[zhao.pk])).status_code == 404
    assert login(personas["town_officer"]).get(reverse("person-detail", args=[zhao.pk])).status_code == 200


def test_reveal_by_permitted_role_returns_number_and_logs(login, personas, registry_data):
    a1, worker = registry_data["a1"], personas["community_worker"]
    response = login(worker).post(reverse("person-reveal-id", args=[a1.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and a1.id_number in _html(response)
    log = AccessLog.objects.get()
    assert (log.user, log.person, log.kind) == (worker, a1, AccessLog.Kind.REVEAL_ID)


def test_reveal_by_leader_is_refused_and_the_refusal_logged(login, personas, registry_data):
    a1 = registry_data["a1"]
    client = login(personas["leader"])
    assert "显示完整号码" not in _html(client.get(reverse("person-detail", args=[a1.pk])))
    response = client.post(reverse("person-reveal-id", args=[a1.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and a1.id_number not in _html(response)
    assert list(AccessLog.objects.values_list("kind", "user__username")) == [("denied", "ld")]


def test_reveal_outside_scope_is_404_and_not_logged(login, personas, registry_data):
    response = login(personas["outsider"]).post(reverse("person-reveal-id", args=[registry_data["a1"].pk]))
    assert response.status_code == 404 and not AccessLog.objects.exists()


def test_reveal_is_post_only(login, personas, registry_data):
    response = login(personas["community_worker"]).get(reverse("person-reveal-id", args=[registry_data["a1"].pk]))
    assert response.status_code == 405 and not AccessLog.objects.exists()


# ---- create ------------------------------------------------------------------------------------------------


def _create_data(areas, **overrides) -> dict:
    return {"name": "陈小红", "id_number": make_id("500106", "19900615", 7, sex_odd=False), "no_id_reason": "",
            "other_document": "", "area": areas["community_a"], "phone": "13900000000", **overrides}


def test_create_person_with_valid_id(login, personas, areas):
    data = _create_data(areas)
    response = login(personas["community_worker"]).post(reverse("person-create"), data)
    person = Person.objects.get(id_number=data["id_number"])
    assert response.status_code == 302 and response.url == reverse("person-detail", args=[person.pk])
    assert (person.sex, person.birth_date, person.area_id) == ("F", date(1990, 6, 15), areas["community_a"])


def test_create_person_with_bad_id_shows_chinese_error_and_saves_nothing(login, personas, areas):
    bad = make_id("500106", "19900615", 7)[:-1] + "0"
    bad = bad if bad != make_id("500106", "19900615", 7) else bad[:-1] + "1"
    response = login(personas["community_worker"]).post(reverse("person-create"), _create_data(areas, id_number=bad))
    html = _html(response)
    assert response.status_code == 200
    assert "身份证号校验码不正确" in html
    assert 'class="invalid-feedback d-block">身份证号校验码不正确' in html
    assert not Person.objects.filter(name="陈小红").exists()
    assert not ChangeLog.objects.filter(model="registry.person").exists()


def test_create_without_id_needs_a_reason(login, personas, areas):
    client = login(personas["community_worker"])
    html = _html(client.post(reverse("person-create"), _create_data(areas, id_number="")))
    assert "无身份证号时须注明原因" in html and not Person.objects.filter(name="陈小红").exists()
    response = client.post(reverse("person-create"), _create_data(areas, id_number="", no_id_reason="foreigner",
                                                                  other_document="E12345678"))
    assert response.status_code == 302
    assert Person.objects.get(name="陈小红").other_document == "E12345678"


def test_create_offers_only_in_scope_communities_and_refuses_others(login, personas, areas):
    client = login(personas["community_worker"])
    html = _html(client.get(reverse("person-create")))
    assert areas["community_a"] in html and areas["community_a2"] not in html and areas["community_b"] not in html
    response = client.post(reverse("person-create"), _create_data(areas, area=areas["community_b"]))
    assert response.status_code == 200 and "选择一个有效的选项" in _html(response).replace(" ", "")
    assert not Person.objects.filter(name="陈小红").exists()


def test_create_is_forbidden_to_a_read_only_role(login, personas, areas):
    client = login(personas["leader"])
    assert client.get(reverse("person-create")).status_code == 403
    assert client.post(reverse("person-create"), _create_data(areas)).status_code == 403
    assert not Person.objects.filter(name="陈小红").exists()


# ---- edits and history -------------------------------------------------------------------------------------


def test_edit_shows_before_and_after_in_history(login, personas, registry_data, areas):
    a1 = registry_data["a1"]
    client = login(personas["town_officer"])
    response = client.post(reverse("person-edit", args=[a1.pk]),
                           {"name": "张三丰", "phone": "13800000000", "area": areas["community_a2"]})
    assert response.status_code == 302
    a1.refresh_from_db()
    assert (a1.name, a1.name_initials, a1.area_id) == ("张三丰", "zsf", areas["community_a2"])
    html = _html(client.get(reverse("person-detail", args=[a1.pk])))
    assert _change("姓名", "张三", "张三丰") in html
    assert _change("联系电话", "—", "138****0000") in html
    assert "居住村社区" in html
    assert "页面" in html and str(personas["town_officer"]) in html, "who and through what"


def test_edit_with_invalid_name_shows_error_and_changes_nothing(login, personas, registry_data, areas):
    a1 = registry_data["a1"]
    response = login(personas["community_worker"]).post(reverse("person-edit", args=[a1.pk]),
                                                         {"name": "", "phone": "1", "area": areas["community_a"]})
    assert response.status_code == 200 and "该字段是必填项" in _html(response)
    a1.refresh_from_db()
    assert a1.name == "张三" and a1.phone == ""


def test_record_death_shows_in_history_and_timeline(login, personas, registry_data):
    a1 = registry_data["a1"]
    client = login(personas["community_worker"])
    response = client.post(reverse("person-record-death", args=[a1.pk]), {"death_date": "2026-01-05"})
    assert response.status_code == 302
    a1.refresh_from_db()
    assert (a1.status, a1.death_date) == ("deceased", date(2026, 1, 5))
    html = _html(client.get(reverse("person-detail", args=[a1.pk])))
    assert _change("状态", "正常", "死亡") in html
    assert _change("死亡日期", "—", "2026-01-05") in html
    assert "原因：登记死亡" in html and "登记死亡（2026-01-05）" in html
    assert "修改信息" not in html, "a deceased person's record is not edited from the page"


def test_record_death_in_the_future_is_refused(login, personas, registry_data):
    a1 = registry_data["a1"]
    response = login(personas["community_worker"]).post(reverse("person-record-death", args=[a1.pk]),
                                                         {"death_date": "2999-01-01"})
    assert response.status_code == 200 and "死亡日期不能晚于今天" in _html(response)
    a1.refresh_from_db()
    assert a1.status == "active"


def test_add_disability(login, personas, registry_data):
    a1 = registry_data["a1"]
    client = login(personas["community_worker"])
    response = client.post(reverse("person-disability-add", args=[a1.pk]),
                           {"category": "physical", "grade": "2", "certificate_number": "CJ001", "issued_on": ""})
    assert response.status_code == 302
    record = Disability.objects.get(person=a1)
    assert (record.category, record.grade, record.certificate_number) == ("physical", 2, "CJ001")
    html = _html(client.get(reverse("person-detail", args=[a1.pk])))
    assert "肢体残疾 · 二级" in html and "残疾等级" in html


def test_writes_to_out_of_scope_person_are_404(login, personas, registry_data, areas):
    a1 = registry_data["a1"]
    client = login(personas["outsider"])
    assert client.post(reverse("person-edit", args=[a1.pk]),
                       {"name": "X", "phone": "", "area": areas["community_b"]}).status_code == 404
    assert client.post(reverse("person-record-death", args=[a1.pk]), {"death_date": "2026-01-01"}).status_code == 404
    a1.refresh_from_db()
    assert a1.name == "张三" and a1.status == "active"
