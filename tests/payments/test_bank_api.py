"""The bank disbursement API: export, list, download (logged), return upload and commit, reissue,
reconciliation; permissions and area scope."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from audit.models import AccessLog
from payments.models import BankPayment
from tests.payments.bankkit import RCB, account_fix, approved_cycle, return_csv

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_bank_flow_through_the_api(roll, officer, approver, generate, django_capture_on_commit_callbacks):
    cycle, e = approved_cycle(roll, officer, approver, generate)
    api = _client(officer)
    made = api.post(f"/api/payment-cycles/{cycle.pk}/bank-files/", {}, format="json")
    assert made.status_code == 201, made.json()
    rcb = next(f for f in made.json() if f["bank_name"] == RCB)
    assert (rcb["item_count"], rcb["total_amount"], rcb["round"]) == (2, "1700.00", 1)
    assert len(api.get(f"/api/payment-cycles/{cycle.pk}/bank-files/").json()) == 2
    logged = AccessLog.objects.filter(user=officer).count()
    download = api.get(rcb["download"])
    body = b"".join(download.streaming_content)
    assert download.status_code == 200 and hashlib.sha256(body).hexdigest() == rcb["checksum"]
    assert download["X-Checksum-SHA256"] == rcb["checksum"] and "attachment" in download["Content-Disposition"]
    assert AccessLog.objects.filter(user=officer).count() == logged + 1

    content = return_csv([["1", "甲", e["jia"].person.bank_accounts.get().account_number, "800.00", "成功", ""],
                          ["2", "丙", e["bing"].person.bank_accounts.get().account_number, "900.00", "失败", "销户"]])
    with django_capture_on_commit_callbacks(execute=True):
        up = api.post(f"/api/payment-cycles/{cycle.pk}/bank-returns/",
                      {"bank_file": rcb["id"], "file": SimpleUploadedFile("回盘.csv", content)}, format="multipart")
    assert up.status_code == 201, up.json()
    validated = api.get(f"/api/bank-returns/{up.json()['id']}/").json()  # the validation job ran on commit
    assert (validated["import_status"], validated["good_rows"], validated["bad_rows"]) == ("validated", 2, 0)
    with django_capture_on_commit_callbacks(execute=True):
        committed = api.post(f"/api/bank-returns/{up.json()['id']}/commit/")
    assert committed.status_code == 202
    detail = api.get(f"/api/bank-returns/{up.json()['id']}/").json()
    assert detail["import_status"] == "committed" and detail["summary"] == {"paid": 1, "failed": 1,
                                                                            "already_recorded": 0}

    assert api.post(f"/api/payment-cycles/{cycle.pk}/reissue/").status_code == 400
    account_fix(officer, approver, e["bing"].person, "6221888800002222", RCB)
    reissued = api.post(f"/api/payment-cycles/{cycle.pk}/reissue/")
    assert reissued.status_code == 201 and [(f["round"], f["item_count"]) for f in reissued.json()] == [(2, 1)]

    report = api.get(f"/api/payment-cycles/{cycle.pk}/reconciliation/").json()
    assert report["total"]["paid"] == {"count": 2, "amount": "800.00"}
    assert report["total"]["reissued"] == {"count": 1, "amount": "900.00"}
    assert report["total"]["total"]["amount"] == "2200.00"
    xlsx = api.get(f"/api/payment-cycles/{cycle.pk}/reconciliation/xlsx/")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_permissions_and_scope(roll, officer, approver, personas, generate):
    cycle, _ = approved_cycle(roll, officer, approver, generate)
    assert _client(approver).post(f"/api/payment-cycles/{cycle.pk}/bank-files/", {}, format="json").status_code == 403
    made = _client(officer).post(f"/api/payment-cycles/{cycle.pk}/bank-files/", {}, format="json").json()
    town = _client(personas["town_officer"])
    assert town.get(f"/api/payment-cycles/{cycle.pk}/bank-files/").json() == []
    assert town.get(made[0]["download"]).status_code == 404
    assert town.post(f"/api/payment-cycles/{cycle.pk}/reissue/").status_code == 403
    assert town.get(f"/api/payment-cycles/{cycle.pk}/reconciliation/").status_code == 200
    bad = _client(officer).post(f"/api/payment-cycles/{cycle.pk}/bank-files/", {"layout": 999999}, format="json")
    assert bad.status_code == 400 and "layout" in bad.json()
    assert BankPayment.objects.filter(cycle=cycle).count() == 3


def test_unapproved_cycle_is_not_exported(roll, officer, generate):
    from payments.services import cycle_open
    from tests.payments.conftest import MAR

    roll.enrol("tekun", "500.00", person=roll.person())
    cycle = cycle_open(acting_user=officer, month=MAR)
    generate(cycle, officer)
    refused = _client(officer).post(f"/api/payment-cycles/{cycle.pk}/bank-files/", {}, format="json")
    assert refused.status_code == 400 and "审批后才能导出" in refused.json()["status"][0]
