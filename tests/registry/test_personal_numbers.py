"""Phone numbers and disability certificate numbers: validated on the way in, masked on the way out, revealed
only with a logged reveal (a refused reveal is logged too); full-width ID digits normalised."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from audit.models import AccessLog
from registry.identity import mask_phone, normalise_phone, parse_id_number
from registry.services import asset_add, disability_record, person_update
from tests.conftest import make_id


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(("typed", "stored"), [
    ("13812345678", "13812345678"), ("１３８１２３４５６７８", "13812345678"), ("+86 138 1234 5678", "13812345678"),
    ("023-65123456", "023-65123456"), ("02365123456", "02365123456"), ("", "")])
def test_phone_numbers_are_normalised(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("bad", ["12345", "1381234567", "23812345678", "电话", "138-1234-5678x"])
def test_bad_phone_numbers_are_refused_by_name(registry_data, personas, bad):
    with pytest.raises(ValidationError) as err:
        person_update(acting_user=personas["district_officer"], person=registry_data["a1"], phone=bad)
    assert "联系电话格式不正确" in err.value.message_dict["phone"][0]


def test_full_width_id_digits_are_normalised():
    number = make_id("500106", "19800101", 7)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    assert parse_id_number(full_width).number == number


def test_asset_value_cannot_be_negative(registry_data, personas):
    with pytest.raises(ValidationError) as err:
        asset_add(acting_user=personas["district_officer"], household=registry_data["household_a"], kind="vehicle",
                  value=Decimal("-1.00"))
    assert "不能为负数" in err.value.message_dict["value"][0]


@pytest.fixture
def numbers(registry_data, personas):
    officer = personas["district_officer"]
    person = person_update(acting_user=officer, person=registry_data["a1"], phone="13812345678")
    certificate = person.id_number + "21"
    disability = disability_record(acting_user=officer, person=person, category="physical", grade=1,
                                   certificate_number=certificate, issued_on=date(2020, 1, 1))
    return person, disability, certificate


def test_api_masks_phone_and_certificate_and_logs_each_reveal(numbers, personas):
    person, disability, certificate = numbers
    officer = _api(personas["district_officer"])
    shown = officer.get(f"/api/persons/{person.pk}/").json()
    assert shown["phone"] == mask_phone("13812345678") == "138****5678"
    listed = officer.get(f"/api/persons/{person.pk}/disabilities/").json()["results"][0]
    assert listed["certificate_number"] != certificate and listed["certificate_number"][-4:] == certificate[-4:]
    assert officer.post(f"/api/persons/{person.pk}/reveal-phone/").json() == {"phone": "13812345678"}
    full = officer.post(f"/api/disabilities/{disability.pk}/reveal-certificate/").json()
    assert full == {"certificate_number": certificate}
    kinds = list(AccessLog.objects.filter(person=person).values_list("kind", flat=True).order_by("id"))
    assert kinds == ["reveal_phone", "reveal_cert"]


def test_refused_reveal_is_logged(numbers, personas):
    person, _, _ = numbers
    worker = personas["leader"]  # the whole district in scope, but reading figures: no reveal grant
    refused = _api(worker).post(f"/api/persons/{person.pk}/reveal-phone/")
    assert refused.status_code == 403
    assert AccessLog.objects.filter(user=worker, person=person, kind="denied").exists()


def test_person_page_masks_and_reveals_with_a_log(numbers, personas, client):
    person, disability, certificate = numbers
    client.force_login(personas["district_officer"])
    page = client.get(f"/persons/{person.pk}/").content.decode()
    assert "13812345678" not in page and "138****5678" in page and certificate not in page
    revealed = client.post(f"/persons/{person.pk}/disabilities/{disability.pk}/reveal-certificate/")
    assert certificate in revealed.content.decode()
    assert AccessLog.objects.filter(person=person, kind="reveal_cert").count() == 1
