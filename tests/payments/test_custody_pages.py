"""卡折代管 pages and API with the test client: register from the bank-account page (refused without the agreement,
the error on its field), check and end on the custody page, the list's 本月未核对 filter and its logged export,
the badges on the person and cycle pages, the API within scope."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from audit.models import AccessLog
from minzheng.dates import add_months
from payments.custody.services import custody_check_record
from payments.models import BankAccount, BankCardCustody, CustodyCheck
from tests.payments.test_custody import PDF, agreement, start

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**overrides) -> dict:
    data = {"custodian_kind": "institution", "custodian_name": "沙坪坝区社会福利院",
            "custodian_contact": "023-65001234",
            "reason": "in_care", "reason_note": "", "agreement_number": "SFY-2026-17", "agreement_date": "2026-08-20",
            "start_date": "2026-09-01",
            "agreement_file": SimpleUploadedFile("协议.pdf", PDF, content_type="application/pdf")}
    return {**data, **overrides}


def test_register_from_the_bank_account_page_refused_without_the_agreement(roll, personas):
    worker = _login(personas["community_worker"])
    person = roll.person("代管甲")
    page = worker.get(reverse("bank-account-edit", args=[person.pk])).content.decode()
    assert 'data-testid="custody-block"' in page and reverse("custody-start", args=[person.pk]) in page
    refused = worker.post(reverse("custody-start", args=[person.pk]), _form(agreement_file=""))
    assert refused.status_code == 200 and "没有书面协议不能登记卡折代管" in refused.content.decode()
    assert not BankCardCustody.objects.exists()
    made = worker.post(reverse("custody-start", args=[person.pk]), _form())
    custody = BankCardCustody.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("custody-detail", args=[custody.pk])
    page = worker.get(reverse("bank-account-edit", args=[person.pk])).content.decode()
    assert "卡折代管中" in page and "沙坪坝区社会福利院" in page and 'data-testid="custody-account-note"' in page
    person_page = worker.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert 'data-testid="custody-badge"' in person_page and "卡折由供养服务机构代管" in person_page


def test_check_and_end_on_the_custody_page(roll, personas):
    user = personas["town_officer"]
    web = _login(user)
    custody = start(user, roll.person())
    url = reverse("custody-detail", args=[custody.pk])
    page = web.get(url).content.decode()
    assert 'data-testid="custody-check-form"' in page and 'data-testid="custody-end-form"' in page
    ok = web.post(url, {"action": "check", "month": "2026-10", "result": "proper", "note": "票据齐全",
                        "custodian_signed": "on"})
    assert ok.status_code == 302
    again = web.post(url, {"action": "check", "month": "2026-10", "result": "proper"})
    assert again.status_code == 400 and "每月只核对一次" in again.content.decode()
    issue = web.post(url, {"action": "check", "month": "2026-11", "result": "issue", "note": ""})
    assert issue.status_code == 400 and "核对说明" in issue.content.decode()
    assert list(CustodyCheck.objects.values_list("month", "result")) == [(date(2026, 10, 1), "proper")]
    ended = web.post(url, {"action": "end", "end_date": "2026-11-30", "end_reason": "本人已能自行管理",
                           "handover_note": "卡交还本人，余额当面核对"})
    assert ended.status_code == 302
    custody.refresh_from_db()
    assert (custody.status, custody.end_date) == ("ended", date(2026, 11, 30))
    assert 'data-testid="custody-end-form"' not in web.get(url).content.decode()


def test_list_filters_unchecked_this_month_and_the_export_is_logged(roll, personas, areas):
    user = personas["town_officer"]
    web = _login(user)
    this_month = timezone.localdate().replace(day=1)
    checked = start(user, roll.person("已核对"))
    custody_check_record(acting_user=user, custody=checked, month=this_month, result="proper")
    unchecked = start(user, roll.person("未核对"), agreement=agreement("DG-9"))
    other_town = start(personas["outsider"], roll.person("外镇", area=areas["community_b"]),
                       agreement=agreement("DG-10"))
    page = web.get(reverse("custody-list")).content.decode()
    assert f'data-testid="custody-{checked.pk}"' in page and f'data-testid="custody-{unchecked.pk}"' in page
    assert f'data-testid="custody-{other_town.pk}"' not in page, "another town's custody is not listed"
    page = web.get(reverse("custody-list"), {"unchecked": "1"}).content.decode()
    assert f'data-testid="custody-{unchecked.pk}"' in page and f'data-testid="custody-{checked.pk}"' not in page
    account = BankAccount.objects.get(person=unchecked.person).account_number
    assert account not in page and unchecked.person.id_number not in page

    download = web.get(reverse("custody-export"), {"unchecked": "1"})
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["未核对"] and rows[0][-1] == "否"
    assert account not in str(rows) and unchecked.person.id_number not in str(rows)
    log = AccessLog.objects.get(user=user, kind="export")
    assert log.detail["what"] == "卡折代管名册" and log.detail["rows"] == 1


def test_another_towns_custody_is_a_404(roll, personas):
    custody = start(personas["community_worker"], roll.person())
    outsider = _login(personas["outsider"])
    assert outsider.get(reverse("custody-detail", args=[custody.pk])).status_code == 404
    assert outsider.get(reverse("custody-agreement", args=[custody.pk])).status_code == 404
    assert outsider.get(reverse("custody-start", args=[custody.person_id])).status_code == 404
    api = APIClient()
    api.force_authenticate(personas["outsider"])
    assert api.get(f"/api/card-custodies/{custody.pk}/").status_code == 404
    assert api.get("/api/card-custodies/").json()["results"] == []


def test_the_cycle_page_marks_payees_whose_card_is_in_custody(roll, personas, officer, generate):
    from payments.services import cycle_open

    kept, free = roll.person("代管乙"), roll.person("自管丙")
    roll.enrol("tekun", "1001.00", person=kept)
    roll.enrol("tekun", "1001.00", person=free)
    start(personas["community_worker"], kept)
    cycle = cycle_open(acting_user=officer, month=date(2026, 3, 1))
    generate(cycle, officer)
    page = _login(officer).get(reverse("payment-cycle-detail", args=[cycle.pk])).content.decode()
    assert page.count('data-testid="custody-line-badge"') == 1 and 'data-testid="custody-legend"' in page
    row = next(part for part in page.split("<tr") if "代管乙" in part)
    assert "卡折代管" in row and "代管乙" in row


def test_api_create_within_scope_refused_without_agreement(roll, personas):
    api = APIClient()
    api.force_authenticate(personas["community_worker"])
    person = roll.person()
    data = {"person": person.pk, "custodian_kind": "guardian", "custodian_name": "王监护", "reason": "minor",
            "agreement_number": "JH-1", "agreement_date": "2026-08-01", "start_date": "2026-09-01"}
    refused = api.post("/api/card-custodies/", data, format="multipart")
    assert refused.status_code == 400 and "agreement_file" in refused.json()
    made = api.post("/api/card-custodies/", {**data, "agreement_file": SimpleUploadedFile("a.pdf", PDF)},
                    format="multipart")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["custodian_kind_label"] == "监护人" and "*" in body["account_number"]
    again = api.post("/api/card-custodies/", {**data, "agreement_file": SimpleUploadedFile("a.pdf", PDF)},
                     format="multipart")
    assert again.status_code == 400 and "person" in again.json()
    month = add_months(timezone.localdate().replace(day=1), -1)
    check = api.post(f"/api/card-custodies/{body['id']}/checks/", {"month": f"{month:%Y-%m}", "result": "proper"},
                     format="json")
    assert check.status_code == 201 and check.json()["result_label"] == "资金使用正常"
    listed = api.get("/api/card-custodies/", {"unchecked": "true"}).json()["results"]
    assert [c["id"] for c in listed] == [body["id"]], "this month is not checked yet"
    detail = api.get(f"/api/card-custodies/{body['id']}/").json()
    assert [c["month"] for c in detail["checks"]] == [f"{month:%Y-%m}"]
    outsider = APIClient()
    outsider.force_authenticate(personas["outsider"])
    assert outsider.post("/api/card-custodies/", {**data, "agreement_file": SimpleUploadedFile("a.pdf", PDF)},
                         format="multipart").status_code == 404
