"""非本区居民急难救助登记 (page): a clerk registers a person whose 户籍 is elsewhere and who is in sudden hardship in
the district, choosing the 户籍地 by name; the case page says plainly that the person is not a district resident and
keeps the record of the 通报函 printed for the home district."""

import re

import pytest
from django.urls import reverse

from audit.models import AccessLog
from casework.models import Case
from registry.models import Person, PersonFact
from tests.assistance_pages.pdftext import pdf_text
from tests.assistance_pages.test_documents import cid_font  # noqa: F401
from tests.conftest import make_id
from tests.demo.test_page_codes import CODE, RAW_ID, visible_text

pytestmark = pytest.mark.django_db
JINJIANG = "510104"  # 四川省成都市锦江区
AREA_CODE = re.compile(r"\d{6,12}")


def _post(areas, **changes) -> dict:
    data = {"name": "外地急难", "id_number": make_id(JINJIANG, "19900505", 41), "hukou_place": JINJIANG + "000000",
            "phone": "13800000000", "area": areas["community_a"], "amount": "800", "channel": "worker",
            "authorised_data_check": "on", "note": "务工途中突发疾病，无力支付医疗费"}
    return {**data, **changes}


def _field_block(html: str, name: str) -> str:
    """The markup of one field: from its input to the next field's label."""
    start = html.index(f'name="{name}"')
    end = html.find('class="form-label', start)
    return html[start:end if end > 0 else len(html)]


def _plain(text: str) -> list[str]:
    return CODE.findall(text) + RAW_ID.findall(text) + AREA_CODE.findall(text)


def test_the_form_is_on_the_desk_and_offers_only_the_users_communities(login, staff, areas):
    client = login(staff["town_officer"])
    assert reverse("assistance-nonresident") in client.get(reverse("assistance-queue")).content.decode()
    html = client.get(reverse("assistance-nonresident")).content.decode()
    assert "非本区居民急难救助登记" in html and 'data-testid="nav-nonresident"' in html
    for name in ("name", "id_number", "hukou_place", "phone", "area", "amount", "note"):
        assert f'name="{name}"' in html, name
    assert f'value="{areas["community_a"]}"' in html and f'value="{areas["community_b"]}"' not in html
    assert _plain(visible_text(html)) == []


def test_a_user_who_may_not_submit_is_refused(login, staff, areas):
    client = login(staff["leader"])
    assert client.get(reverse("assistance-nonresident")).status_code == 403
    assert client.post(reverse("assistance-nonresident"), _post(areas)).status_code == 403
    assert not Case.objects.exists() and not Person.objects.filter(name="外地急难").exists()


def test_the_hukou_is_found_by_name_and_shown_by_name(login, staff):
    client = login(staff["community_worker"])
    html = client.get(reverse("division-autocomplete"), {"q": "成都 锦江", "field": "id_hukou_place"}).content.decode()
    assert f'data-pick-value="{JINJIANG}000000"' in html and 'data-pick-target="id_hukou_place"' in html
    assert "四川省成都市锦江区" in visible_text(html) and _plain(visible_text(html)) == []
    # the chosen place is shown back by its name when the form comes back with an error
    back = client.post(reverse("assistance-nonresident"), {"hukou_place": JINJIANG + "000000"}).content.decode()
    assert "四川省成都市锦江区" in back


def test_invalid_input_is_shown_on_the_field_and_saves_nothing(login, staff, areas):
    client = login(staff["community_worker"])
    bad_id = client.post(reverse("assistance-nonresident"), _post(areas, id_number="510104199005054")).content.decode()
    assert "身份证号" in _field_block(bad_id, "id_number") and "invalid-feedback" in _field_block(bad_id, "id_number")
    no_place = client.post(reverse("assistance-nonresident"), _post(areas, hukou_place="")).content.decode()
    assert "请选择户籍地" in _field_block(no_place, "hukou_place")
    bad_place = client.post(reverse("assistance-nonresident"), _post(areas, hukou_place="000123")).content.decode()
    assert "户籍地应为" in _field_block(bad_place, "hukou_place")
    zero = client.post(reverse("assistance-nonresident"), _post(areas, amount="0")).content.decode()
    assert "救助金额应大于0" in _field_block(zero, "amount")
    assert not Case.objects.exists() and not Person.objects.filter(name="外地急难").exists()


def test_an_area_outside_the_users_scope_is_refused(login, staff, areas):
    response = login(staff["town_officer"]).post(reverse("assistance-nonresident"),
                                                 _post(areas, area=areas["community_b"]))
    assert response.status_code == 200
    assert "所选村社区不存在或不在您的管辖范围内" in _field_block(response.content.decode(), "area")
    assert not Case.objects.exists() and not Person.objects.filter(name="外地急难").exists()


def test_success_opens_the_case_and_the_case_page_says_who_is_not_a_resident(login, staff, areas, clock,
                                                                             cid_font):  # noqa: F811
    client = login(staff["town_officer"])
    response = client.post(reverse("assistance-nonresident"), _post(areas))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assistance-case", args=[case.pk])
    person = Person.objects.get(name="外地急难")
    assert (case.household_id, case.person_id, case.area_id, case.inputs["amount"]) == (
        None, person.pk, areas["community_a"], "800.00")
    assert person.facts.get(kind=PersonFact.Kind.HUKOU_PLACE).value == JINJIANG + "000000"

    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="nonresident-badge"' in html
    hukou = html[html.index('data-testid="nonresident-hukou"'):]
    assert hukou[:hukou.index("</dd>")].count("四川省成都市锦江区") == 1
    assert "务工途中突发疾病" in html and "尚未打印通报函" in html
    text = visible_text(html)
    assert JINJIANG not in text and _plain(text) == [], _plain(text)

    # printing the 通报函 is the record that the home district was told: the case page lists it
    letter = client.get(reverse("assistance-case-pdf", args=[case.pk, "report"]))
    assert letter.status_code == 200
    words = pdf_text(letter.content)
    assert "四川省成都市锦江区民政部门" in words and "务工途中突发疾病" in words
    assert "审批中" in words  # not yet approved: the amount granted is filled in by the 先行救助 approval
    assert AccessLog.objects.filter(kind="export", detail__filters__case=case.pk).count() == 1
    again = client.get(reverse("assistance-case", args=[case.pk])).content.decode()
    reports = again[again.index('data-testid="nonresident-reports"'):]
    assert "尚未打印通报函" not in again and "打印通报函（致四川省成都市锦江区民政部门）" in reports


def test_a_resident_case_has_no_nonresident_panel(login, staff, cases):
    case = cases.make("submitted")
    html = login(staff["town_officer"]).get(reverse("assistance-case", args=[case.pk])).content.decode()
    assert "nonresident-badge" not in html and "向户籍地通报" not in html
