"""申请查询: by name, ID number (full, last digits, leading digits), case number, status, programme and town —
always within the user's area; a community worker finds the applications they submitted."""

import re

import pytest
from django.urls import reverse

from assistance import services

pytestmark = pytest.mark.django_db


def _found(client, **params) -> list[int]:
    html = client.get(reverse("assistance-search"), params).content.decode()
    return [int(pk) for pk in re.findall(r'href="/assistance/cases/(\d+)/" data-testid="case-link"', html)]


def test_search_by_name_id_and_number_within_scope(login, staff, cases, areas):
    first = cases.make("submitted", names=("欧阳明", "欧阳妻"))
    second = cases.make("accepted", names=("司马亮", "司马妻"))
    other = cases.make("submitted", names=("欧阳远",), area=areas["community_b"])
    applicant = first.applicant
    client = login(staff["town_officer"])
    assert _found(client, q="欧阳") == [first.pk], "the other town's 欧阳远 is out of scope"
    assert _found(client, q="欧阳妻") == [first.pk], "a household member finds the household's case"
    assert _found(client, q=applicant.id_number) == [first.pk]
    assert _found(client, q=applicant.id_number[-4:]) == [first.pk], "the last digits"
    assert _found(client, q=applicant.id_number[:17]) == [first.pk], "the leading digits"
    assert _found(client, no=str(second.pk)) == [second.pk]
    assert _found(client, no=str(other.pk)) == [], "a case outside the area is not found by its number"
    assert _found(client, state="accepted") == [second.pk]
    assert _found(client, program="tekun") == []
    hint = client.get(reverse("assistance-search"), {"q": "12"}).content.decode()
    assert "至少输入后4位" in hint
    district = login(staff["district_officer"])
    assert _found(district, q="欧阳") == [other.pk, first.pk], "newest first"
    assert _found(district, q="欧阳", town=areas["town_b"]) == [other.pk]


def test_community_worker_finds_what_they_submitted(login, staff, cases):
    worker = staff["community_worker"]
    household, _ = cases.household(("协理户", "协理妻"))
    mine = services.application_submit(acting_user=worker, program="dibao", household=household,
                                       authorised_data_check=True)
    by_town = cases.make("submitted", names=("镇街户", "镇街妻"))
    client = login(worker)
    assert _found(client, mine="1") == [mine.pk]
    assert set(_found(client, state="submitted")) == {mine.pk, by_town.pk}
    page = client.get(reverse("assistance-search"), {"mine": "1"}).content.decode()
    assert "已申请（待受理）" in page
