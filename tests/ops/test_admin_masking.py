"""The admin (support staff) shows what changed but never a whole ID, account or phone number."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from audit.masking import masked
from audit.models import ChangeLog
from payments.models import BankAccount
from registry.models import Person
from tests.conftest import make_id

pytestmark = pytest.mark.django_db

ACCOUNT = "6217000012345678901"


@pytest.fixture
def support(areas):
    user = get_user_model().objects.create_superuser("support", password="x-Str0ng-Pass", area_id=areas["district"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def person(areas):
    person = Person.objects.create(name="管理员看", area_id=areas["community_a"], phone="13812345678",
                                   id_number=make_id("500106", "19600101", 7))
    after = {"id_number": person.id_number, "phone": person.phone, "nested": [{"account": ACCOUNT}],
             "name": "管理员看"}
    ChangeLog.objects.create(model="registry.person", object_id=str(person.pk),
                             object_repr=f"管理员看 {person.id_number}", action="create", after=after)
    return person


def test_change_log_admin_masks_numbers_but_keeps_the_rest(support, person):
    log = ChangeLog.objects.get(object_id=str(person.pk))
    html = support.get(f"/admin/audit/changelog/{log.pk}/change/").content.decode()
    assert person.id_number not in html and person.phone not in html and ACCOUNT not in html
    assert person.id_number[:4] in html and person.id_number[-4:] in html and "管理员看" in html


def test_bank_account_admin_shows_the_account_masked(support, person):
    account = BankAccount.objects.create(person=person, area_id=person.area_id, bank_name="农商行",
                                         account_number=ACCOUNT)
    html = support.get(f"/admin/payments/bankaccount/{account.pk}/change/").content.decode()
    assert ACCOUNT not in html and "6217" in html and "8901" in html


def test_masking_walks_json_and_leaves_amounts_and_dates():
    value = {"id": make_id("500106", "19600101", 3), "amount": "1234.50", "day": "2026-12-07", "n": 12,
             "list": ["x", "13912345678"]}
    out = masked(value)
    assert out["amount"] == "1234.50" and out["day"] == "2026-12-07" and out["n"] == 12
    assert out["id"] != value["id"] and out["id"].startswith("5001") and out["list"][1] == "139****5678"
