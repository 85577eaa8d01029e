"""Payment pages (资金发放页面) through the test client: open → generate → exceptions → accept → approve by another
user; the maker refused; polling; scoping and masking; payment search; the person page's payments; reports."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from accounts.services import user_create
from audit.models import AccessLog
from payments.models import PaymentCycle, PaymentException
from tests.conftest import PASSWORD


@pytest.fixture
def people(roll):
    """甲 (特困 1000) and 乙's household without a bank account (低保 500) in town A; 丙 (特困 900) in town B."""
    jia = roll.person("甲")
    yi = roll.person("乙", bank=False)
    bing = roll.person("丙", area=roll.areas["community_b"])
    roll.enrol("tekun", "1000.00", person=jia)
    roll.enrol("dibao", "500.00", household=roll.household(people=[yi])[0])
    roll.enrol("tekun", "900.00", person=bing)
    return {"jia": jia, "yi": yi, "bing": bing}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def generated(people, officer, django_capture_on_commit_callbacks):
    client = _client(officer)
    opened = client.post("/payments/", {"month": "2026-03"})
    cycle = PaymentCycle.objects.get(month="2026-03-01")
    assert opened.status_code == 302 and opened["Location"] == f"/payments/cycles/{cycle.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/payments/cycles/{cycle.pk}/generate/")
    cycle.refresh_from_db()
    return cycle


def test_cycle_list_and_nav(people, officer, personas):
    client = _client(officer)
    page = client.get("/payments/")
    assert page.status_code == 200 and 'data-testid="cycle-open-form"' in page.content.decode()
    assert '<a class="nav-link" href="/payments/">资金发放</a>' in client.get("/").content.decode()
    reader = _client(personas["leader"]).get("/payments/").content.decode()
    assert "cycle-open-form" not in reader  # reading only: no button to open a cycle
    bad = client.post("/payments/", {"month": "2026-3x"}, follow=True)
    assert "发放月份格式应为 YYYY-MM" in _messages(bad)


def test_generate_exceptions_accept_and_approve_by_another_user(generated, officer, approver, people):
    cycle = generated
    client = _client(officer)
    page = client.get(f"/payments/cycles/{cycle.pk}/")
    body = page.content.decode()
    assert page.context["cycle"].status == "generated" and "已生成待审批" in body
    assert page.context["totals"]["amount"] == 2400 and len(page.context["lines"]) == 3
    assert "银行账户缺失或无效" in body and "待处理异常 1 条" in body
    assert people["jia"].id_number not in body and people["jia"].id_number[-4:] in body  # masked ID
    assert "622100000000000001" not in body and "6221**********0001" in body  # masked account
    assert "100%" in body  # the generation job's progress

    refused = _client(approver).post(f"/payments/cycles/{cycle.pk}/approve/", follow=True)
    assert "尚有 1 条发放异常未处理" in _messages(refused)
    exception = PaymentException.objects.get(cycle=cycle)
    empty = client.post(f"/payments/exceptions/{exception.pk}/accept/", {"reason": " "}, follow=True)
    assert "请填写认可理由" in _messages(empty)
    accepted = client.post(f"/payments/exceptions/{exception.pk}/accept/", {"reason": "本月现金发放"}, follow=True)
    assert "已核实认可" in _messages(accepted)
    exception.refresh_from_db()
    assert (exception.status, exception.resolution) == ("accepted", "本月现金发放")
    rechecked = client.post(f"/payments/cycles/{cycle.pk}/check/", follow=True)
    assert "尚有 0 条异常待处理" in _messages(rechecked)

    not_allowed = client.post(f"/payments/cycles/{cycle.pk}/approve/", follow=True)
    assert "无此操作权限" in _messages(not_allowed)
    approved = _client(approver).post(f"/payments/cycles/{cycle.pk}/approve/", follow=True)
    assert "已审批" in _messages(approved)
    cycle.refresh_from_db()
    assert cycle.status == "approved" and cycle.approved_by == approver
    again = client.post(f"/payments/cycles/{cycle.pk}/generate/", follow=True)
    assert "已审批，不能再修改" in _messages(again)


def test_bulk_acceptance_of_one_kind_from_the_cycle_page(generated, officer):
    client = _client(officer)
    url = f"/payments/cycles/{generated.pk}/"
    assert 'data-testid="bulk-accept"' not in client.get(url).content.decode()  # only once a kind is chosen
    filtered = client.get(url + "?ex_kind=bank_account_missing&ex_status=open").content.decode()
    assert 'data-testid="bulk-accept"' in filtered
    done = client.post(f"/payments/cycles/{generated.pk}/exceptions/accept/",
                       {"kind": "bank_account_missing", "reason": "本月现金发放"}, follow=True)
    assert "已核实认可 1 条异常" in _messages(done)
    assert set(PaymentException.objects.filter(cycle=generated).values_list("status", flat=True)) == {"accepted"}


def test_maker_cannot_approve_their_own_cycle(people, areas, django_capture_on_commit_callbacks):
    both = user_create(username="both", password=PASSWORD, roles=["district_officer", "district_approver"],
                       area_code=areas["district"], validate=False)
    client = _client(both)
    client.post("/payments/", {"month": "2026-03"})
    cycle = PaymentCycle.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/payments/cycles/{cycle.pk}/generate/")
    PaymentException.objects.filter(cycle=cycle).update(status="accepted", resolution="测试")
    page = client.get(f"/payments/cycles/{cycle.pk}/").content.decode()
    assert "不能审批本批次" in page
    refused = client.post(f"/payments/cycles/{cycle.pk}/approve/", follow=True)
    assert "经办与复核不能为同一人" in _messages(refused)
    cycle.refresh_from_db()
    assert cycle.status == "generated"


def test_status_block_polls_while_running_and_reloads_when_done(generated, officer):
    cycle = generated
    client = _client(officer)
    done = client.get(f"/payments/cycles/{cycle.pk}/status/?polling=1", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    cycle.job.status = "running"
    cycle.job.progress_done, cycle.job.progress_total = 1, 4
    cycle.job.save()
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="generating")
    running = client.get(f"/payments/cycles/{cycle.pk}/status/?polling=1", HTTP_HX_REQUEST="true")
    body = running.content.decode()
    assert "HX-Refresh" not in running and 'hx-trigger="every 1s"' in body and "25%" in body
    assert "cycle-generate" not in body  # no actions while the job writes lines


def test_cycle_page_is_scoped_and_filtered(generated, personas, people, areas):
    town = _client(personas["town_officer"])
    page = town.get(f"/payments/cycles/{generated.pk}/")
    names = {line.person.name for line in page.context["lines"]}
    assert names == {"甲", "乙"} and page.context["totals"]["amount"] == 1500
    outsider = _client(personas["outsider"]).get(f"/payments/cycles/{generated.pk}/")
    assert {line.person.name for line in outsider.context["lines"]} == {"丙"}
    assert not outsider.context["exceptions"]  # 乙's missing account is town A's
    dibao = _client(personas["district_officer"]).get(f"/payments/cycles/{generated.pk}/?program=dibao")
    assert [line.person.name for line in dibao.context["lines"]] == ["乙"]
    by_town = _client(personas["district_officer"]).get(f"/payments/cycles/{generated.pk}/?town={areas['town_b']}")
    assert [line.person.name for line in by_town.context["lines"]] == ["丙"]
    assert _client(personas["district_officer"]).get("/payments/cycles/999999/").status_code == 404


def test_cycle_page_loads_the_bank_section(generated, officer):
    body = _client(officer).get(f"/payments/cycles/{generated.pk}/").content.decode()
    assert 'data-testid="bank-section"' in body and f'hx-get="/payments/cycles/{generated.pk}/bank/"' in body


def test_payment_search_filters_and_masks(generated, officer, personas, people):
    client = _client(officer)
    by_name = client.get("/payments/search/?q=甲")
    assert [line.person.name for line in by_name.context["lines"]] == ["甲"]
    body = by_name.content.decode()
    assert people["jia"].id_number not in body and "6221**********0001" in body
    by_id = client.get(f"/payments/search/?q={people['bing'].id_number}")
    assert [line.person.name for line in by_id.context["lines"]] == ["丙"]
    assert {line.person.name for line in client.get("/payments/search/?program=tekun").context["lines"]} == {
        "甲", "丙"}
    assert client.get("/payments/search/?from=2026-04&to=2026-05").context["lines"] == []
    assert len(client.get("/payments/search/?from=2026-03&to=2026-03&status=pending").context["lines"]) == 3
    assert client.get("/payments/search/?status=paid").context["lines"] == []
    outsider = _client(personas["outsider"]).get("/payments/search/?q=甲")
    assert outsider.context["lines"] == []


def test_person_page_shows_payments_from_every_programme(generated, officer, people, personas):
    page = _client(officer).get(f"/persons/{people['jia'].pk}/")
    body = page.content.decode()
    assert 'data-testid="person-payments"' in body
    assert [(line.program_id, line.amount) for line in page.context["payments"]] == [("tekun", 1000)]
    assert "特困人员救助供养" in body and "1,000.00" in body and "6221**********0001" in body
    assert "622100000000000001" not in body


def test_person_page_hides_payments_without_the_grant(generated, people, areas):
    registry_only = user_create(username="ro", password=PASSWORD, roles=["town_reviewer"],
                                area_code=areas["town_a"], validate=False)
    from accounts.models import Grant

    Grant.objects.filter(role_id="town_reviewer", resource="payment").delete()
    page = _client(registry_only).get(f"/persons/{people['jia'].pk}/")
    assert page.status_code == 200 and "person-payments" not in page.content.decode()


def test_reports_page_and_logged_download(generated, officer):
    client = _client(officer)
    page = client.get("/payments/reports/?from=2026-03&to=2026-03")
    body = page.content.decode()
    assert page.status_code == 200 and "资金发放金额统计表" in body and "2,400.00" in body
    assert 'data-testid="report-xlsx"' in body
    ontime = client.get("/payments/reports/ontime/?from=2026-03&to=2026-03")
    assert "按时发放率" in ontime.content.decode()
    bad = client.get("/payments/reports/amounts/?from=2026-03&to=2026-01")
    assert bad.status_code == 400 and "不能早于起始月份" in bad.content.decode()
    download = client.get("/payments/reports/recipients/xlsx/?from=2026-03&to=2026-03")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).worksheets[0]
    assert sheet.cell(row=2, column=1).value == "项目"
    assert AccessLog.objects.filter(user=officer, kind="export", detail__report="recipients").count() == 1
