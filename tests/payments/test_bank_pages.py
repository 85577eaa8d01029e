"""The bank section's page parts with Django's test client: export, download (logged), return upload through
the import pages, reissue, reconciliation; a town officer gets no bank files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client

from areas.models import Area
from audit.models import AccessLog
from payments.models import BankFile, BankPayment, PaymentLine
from tests.payments.bankkit import RCB, account_fix, approved_cycle, return_csv

pytestmark = [pytest.mark.django_db]


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cycle(roll, officer, approver, generate):
    return approved_cycle(roll, officer, approver, generate)


def test_section_include_loads_its_body_by_htmx(cycle):
    html = render_to_string("payments/_bank_section.html", {"cycle": cycle[0]})
    assert f'hx-get="/payments/cycles/{cycle[0].pk}/bank/"' in html


def test_export_download_return_reissue_through_the_pages(cycle, officer, approver,
                                                          django_capture_on_commit_callbacks):
    cycle, e = cycle
    web = _login(officer)
    page = web.get(f"/payments/cycles/{cycle.pk}/bank/")
    assert page.status_code == 200 and "导出银行代发文件" in page.content.decode()
    fragment = web.get(f"/payments/cycles/{cycle.pk}/bank/", HTTP_HX_REQUEST="true",
                       HTTP_HX_CURRENT_URL="http://testserver/payments/cycles/1/")
    body = fragment.content.decode()
    assert "<html" not in body and 'value="http://testserver/payments/cycles/1/"' in body

    made = web.post(f"/payments/cycles/{cycle.pk}/bank/files/", {"next": "/payments/cycles/1/"})
    assert made.status_code == 302 and made["Location"] == "/payments/cycles/1/"
    rcb = BankFile.objects.get(cycle=cycle, bank_name=RCB)
    page = web.get(f"/payments/cycles/{cycle.pk}/bank/").content.decode()
    assert rcb.checksum in page and f"/payments/bank-files/{rcb.pk}/download/" in page
    logged = AccessLog.objects.filter(user=officer, kind="export").count()
    download = web.get(f"/payments/bank-files/{rcb.pk}/download/")
    assert b"".join(download.streaming_content) == bytes(rcb.content)
    assert AccessLog.objects.filter(user=officer, kind="export").count() == logged + 1

    content = return_csv([["2", "丙", e["bing"].person.bank_accounts.get().account_number, "900.00", "失败", "销户"]])
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = web.post(f"/payments/cycles/{cycle.pk}/bank/returns/",
                            {"bank_file": rcb.pk, "file": SimpleUploadedFile("回盘.csv", content)})
    assert uploaded.status_code == 302 and uploaded["Location"].startswith("/imports/")
    batch_page = web.get(uploaded["Location"]).content.decode()
    assert "仅保存正确行（1行）" in batch_page
    with django_capture_on_commit_callbacks(execute=True):
        web.post(uploaded["Location"] + "commit/")
    assert BankPayment.objects.get(cycle=cycle, enrolment=e["bing"]).status == "failed"

    refused = web.post(f"/payments/cycles/{cycle.pk}/bank/reissue/", follow=True)
    assert "须先登记新的有效银行账户" in refused.content.decode()
    account_fix(officer, approver, e["bing"].person, "6221777700003333", RCB)
    assert "重发（1笔已更正账户）" in web.get(f"/payments/cycles/{cycle.pk}/bank/").content.decode()
    web.post(f"/payments/cycles/{cycle.pk}/bank/reissue/")
    assert set(PaymentLine.objects.filter(cycle=cycle, enrolment=e["bing"]).values_list("status", flat=True)) == {
        "reissued"}
    xlsx = web.get(f"/payments/cycles/{cycle.pk}/reconciliation.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_town_officer_gets_no_bank_files(cycle, officer, personas, areas):
    cycle, _ = cycle
    web = _login(officer)
    web.post(f"/payments/cycles/{cycle.pk}/bank/files/")
    town = _login(personas["town_officer"])
    page = town.get(f"/payments/cycles/{cycle.pk}/bank/").content.decode()
    assert "/payments/bank-files/" not in page and f"/payments/cycles/{cycle.pk}/bank/files/" not in page
    # The reconciliation shows the town's own lines only.
    towns = dict(Area.objects.filter(code__in=[areas["town_a"], areas["town_b"]]).values_list("code", "name"))
    assert towns[areas["town_a"]] in page and towns[areas["town_b"]] not in page
    rcb = BankFile.objects.filter(cycle=cycle).first()
    assert town.get(f"/payments/bank-files/{rcb.pk}/download/").status_code == 404
    before = BankFile.objects.count()
    denied = town.post(f"/payments/cycles/{cycle.pk}/bank/files/", follow=True)
    assert "无此操作权限" in denied.content.decode() and BankFile.objects.count() == before
