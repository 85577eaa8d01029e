"""API happy path and errors; area scoping of lines and exceptions; the recipient view."""

import pytest
from rest_framework.test import APIClient

from payments.models import PaymentCycle, PaymentException
from payments.selectors import payments_of_person
from tests.payments.conftest import MAR


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def two_towns(roll):
    """Paid people in town A (community A) and town B; one in town A without a bank account."""
    a = roll.enrol("tekun", "1000.00", person=roll.person("甲"))
    a_nobank = roll.enrol("dibao", "500.00", household=roll.household(people=[roll.person("乙", bank=False)])[0])
    b = roll.enrol("tekun", "900.00", person=roll.person("丙", area=roll.areas["community_b"]))
    return {"a": a, "a_nobank": a_nobank, "b": b}


def test_cycle_happy_path(personas, two_towns, django_capture_on_commit_callbacks):
    officer, approver = _client(personas["district_officer"]), _client(personas["district_approver"])
    created = officer.post("/api/payment-cycles/", {"month": "2026-03"}, format="json")
    assert created.status_code == 201, created.json()
    cycle_id = created.json()["id"]
    assert (created.json()["month"], created.json()["status"]) == ("2026-03", "open")

    with django_capture_on_commit_callbacks(execute=True):
        started = officer.post(f"/api/payment-cycles/{cycle_id}/generate/")
    assert started.status_code == 202
    assert started.json()["job"] == PaymentCycle.objects.get(pk=cycle_id).job_id

    detail = officer.get(f"/api/payment-cycles/{cycle_id}/").json()
    assert detail["status"] == "generated"
    assert detail["line_count"] == 3 and detail["total_amount"] == "2400.00"
    assert detail["totals"] == {"regular": {"count": 3, "amount": "2400.00"}}
    assert detail["exceptions"] == {"open": 1, "total": 1}
    assert detail["job"]["status"] == "done" and detail["job"]["percent"] == 100

    lines = officer.get(f"/api/payment-cycles/{cycle_id}/lines/").json()["results"]
    assert len(lines) == 3
    first = next(row for row in lines if row["enrolment"] == two_towns["a"].pk)
    assert first["amount"] == "1000.00" and first["covered_month"] == "2026-03"
    assert "*" in first["payee_id_number"] and first["payee_id_number"][-4:] == two_towns["a"].person.id_number[-4:]
    assert first["account_number"].startswith("6221") and "*" in first["account_number"]
    assert first["formula"]["monthly_amount"] == "1000.00"

    refused = approver.post(f"/api/payment-cycles/{cycle_id}/approve/")
    assert refused.status_code == 400 and "未处理" in refused.json()["exceptions"][0]
    exceptions = officer.get(f"/api/payment-cycles/{cycle_id}/exceptions/?status=open").json()["results"]
    assert [e["kind"] for e in exceptions] == ["bank_account_missing"]
    no_reason = officer.post(f"/api/payment-exceptions/{exceptions[0]['id']}/accept/", {"reason": ""}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    accepted = officer.post(f"/api/payment-exceptions/{exceptions[0]['id']}/accept/", {"reason": "现金发放"},
                            format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = officer.post(f"/api/payment-exceptions/{exceptions[0]['id']}/accept/", {"reason": "x"}, format="json")
    assert again.status_code == 400

    maker = officer.post(f"/api/payment-cycles/{cycle_id}/approve/")
    assert maker.status_code == 403 and maker.json()["detail"]
    approved = approver.post(f"/api/payment-cycles/{cycle_id}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == "da"
    locked = officer.post(f"/api/payment-cycles/{cycle_id}/generate/")
    assert locked.status_code == 400 and "调整明细" in locked.json()["status"][0]


def test_cycle_errors(personas, areas):
    officer = _client(personas["district_officer"])
    assert officer.post("/api/payment-cycles/", {"month": "2026-03"}, format="json").status_code == 201
    duplicate = officer.post("/api/payment-cycles/", {"month": "2026-03"}, format="json")
    assert duplicate.status_code == 400 and "已存在" in duplicate.json()["month"][0]
    for bad in ("2026-13", "2026/03", "", None):
        response = officer.post("/api/payment-cycles/", {"month": bad}, format="json")
        assert response.status_code == 400 and "month" in response.json(), bad
    assert officer.post("/api/payment-cycles/", [1], format="json").status_code == 400
    town = _client(personas["town_officer"])
    forbidden = town.post("/api/payment-cycles/", {"month": "2026-04"}, format="json")
    assert forbidden.status_code == 403 and "权限" in forbidden.json()["detail"]
    assert officer.get("/api/payment-cycles/999999/").status_code == 404
    assert officer.get("/api/payment-cycles/99999999999999999999/").status_code == 404
    cycle = PaymentCycle.objects.get()
    assert officer.get(f"/api/payment-cycles/{cycle.pk}/lines/?kind=bonus").status_code == 400
    assert officer.get(f"/api/payment-cycles/{cycle.pk}/lines/?area=abc").status_code == 400
    assert officer.get(f"/api/payment-cycles/{cycle.pk}/lines/?after=x").status_code == 400
    assert officer.post("/api/payment-exceptions/123/accept/", {"reason": "x"}, format="json").status_code == 404
    assert APIClient().get("/api/payment-cycles/").status_code in (401, 403)


def test_lines_are_scoped_by_area(personas, two_towns, officer, generate):
    from payments.services import cycle_open

    cycle = cycle_open(acting_user=officer, month=MAR)
    generate(cycle, officer)
    url = f"/api/payment-cycles/{cycle.pk}/lines/"

    def enrolments(user, query=""):
        response = _client(user).get(url + query)
        assert response.status_code == 200
        return {row["enrolment"] for row in response.json()["results"]}

    a, a_nobank, b = two_towns["a"].pk, two_towns["a_nobank"].pk, two_towns["b"].pk
    assert enrolments(personas["town_officer"]) == {a, a_nobank}
    assert enrolments(personas["community_worker"]) == {a, a_nobank}
    assert enrolments(personas["outsider"]) == {b}
    assert enrolments(personas["leader"]) == {a, a_nobank, b}
    assert enrolments(personas["district_officer"], f"?area={personas['outsider'].area_id}") == {b}
    assert enrolments(personas["district_officer"], "?program=dibao") == {a_nobank}
    assert enrolments(personas["district_officer"], "?kind=arrears") == set()
    page = _client(personas["district_officer"]).get(url + "?page_size=2").json()
    assert len(page["results"]) == 2 and "after=" in page["next"]
    # The exception of a town A line is not shown to town B.
    exceptions = _client(personas["outsider"]).get(f"/api/payment-cycles/{cycle.pk}/exceptions/").json()
    assert exceptions["results"] == [] and PaymentException.objects.filter(cycle=cycle).count() == 1
    town_b = _client(personas["outsider"]).post(
        f"/api/payment-exceptions/{PaymentException.objects.get().pk}/accept/", {"reason": "x"}, format="json")
    assert town_b.status_code == 404


def test_payments_of_person_is_scoped(personas, two_towns, officer, generate):
    from payments.services import cycle_open

    cycle = cycle_open(acting_user=officer, month=MAR)
    generate(cycle, officer)
    person = two_towns["a"].person
    rows = payments_of_person(user=personas["town_officer"], person=person)
    expected = [("特困人员救助供养", two_towns["a"].monthly_amount, cycle.pk)]
    assert [(r.program.name, r.amount, r.cycle_id) for r in rows] == expected
    assert payments_of_person(user=personas["outsider"], person=person) == []


@pytest.fixture
def cycle_without_accounts(roll, officer, generate):
    """Three payees without a bank account (two in town A, one in town B): three open exceptions."""
    for name, area in (("丁", "community_a"), ("戊", "community_a2"), ("己", "community_b")):
        roll.enrol("tekun", "800.00", person=roll.person(name, area=roll.areas[area], bank=False))
    cycle = PaymentCycle.objects.create(district_id=roll.areas["district"], month=MAR, created_by=officer)
    generate(cycle, officer)
    return cycle


def test_bulk_acceptance_with_one_reason(personas, cycle_without_accounts):
    from audit.models import ChangeLog

    officer, cycle = _client(personas["district_officer"]), cycle_without_accounts
    url = f"/api/payment-cycles/{cycle.pk}/exceptions/accept/"
    assert officer.post(url, {"kind": "bank_account_missing"}, format="json").status_code == 400  # no reason
    assert "ids" in officer.post(url, {"reason": "现金发放"}, format="json").json()  # nothing chosen
    first = PaymentException.objects.filter(cycle=cycle).order_by("pk").first()
    one = officer.post(url, {"ids": [first.pk], "reason": "已核实，现金发放"}, format="json")
    assert one.status_code == 200 and one.json() == {"accepted": 1}
    again = officer.post(url, {"ids": [first.pk], "reason": "x"}, format="json")
    assert again.status_code == 400 and str(first.pk) in again.json()["ids"][0]  # named, nothing half-done
    rest = officer.post(url, {"kind": "bank_account_missing", "reason": "已核实，现金发放"}, format="json")
    assert rest.json() == {"accepted": 2}
    assert set(PaymentException.objects.filter(cycle=cycle).values_list("status", flat=True)) == {"accepted"}
    logged = ChangeLog.objects.filter(model="payments.paymentexception", action="update")
    assert logged.count() == 3 and {row.reason for row in logged} == {"已核实，现金发放"}


def test_bulk_acceptance_needs_the_run_grant(personas, cycle_without_accounts):
    url = f"/api/payment-cycles/{cycle_without_accounts.pk}/exceptions/accept/"
    refused = _client(personas["town_officer"]).post(url, {"kind": "bank_account_missing", "reason": "x"},
                                                     format="json")
    assert refused.status_code in (403, 404)
    assert not PaymentException.objects.filter(status="accepted").exists()


def test_a_town_user_reads_the_cycle_figures_of_their_town_only(personas, two_towns, officer, generate):
    cycle = PaymentCycle.objects.create(district_id=officer.area_id, month=MAR, created_by=officer)
    generate(cycle, officer)
    district = _client(personas["district_officer"]).get(f"/api/payment-cycles/{cycle.pk}/").json()
    assert (district["line_count"], district["total_amount"]) == (3, "2400.00")
    town = _client(personas["town_officer"]).get(f"/api/payment-cycles/{cycle.pk}/").json()
    # town A: 甲 1000 and 乙's household 500; not 丙's 900 in town B
    assert (town["line_count"], town["total_amount"]) == (2, "1500.00")
    assert town["totals"] == {"regular": {"count": 2, "amount": "1500.00"}}
    assert town["exceptions"] == {"open": 1, "total": 1}  # 乙 has no account, in town A
    outsider = _client(personas["outsider"]).get(f"/api/payment-cycles/{cycle.pk}/").json()
    assert (outsider["line_count"], outsider["total_amount"], outsider["exceptions"]["total"]) == (1, "900.00", 0)
    listed = _client(personas["town_officer"]).get("/api/payment-cycles/").json()["results"]
    assert [c["total_amount"] for c in listed] == ["1500.00"]


def test_the_cycle_list_reads_the_figures_of_a_page_at_once(personas, officer, areas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    town = _client(personas["town_officer"])
    PaymentCycle.objects.create(district_id=officer.area_id, month=MAR, created_by=officer)
    town.get("/api/payment-cycles/")  # the user's grants are read once and kept on the user
    with CaptureQueriesContext(connection) as one:
        town.get("/api/payment-cycles/")
    for month in ("2026-04-01", "2026-05-01", "2026-06-01"):
        PaymentCycle.objects.create(district_id=officer.area_id, month=month, created_by=officer)
    with CaptureQueriesContext(connection) as four:
        assert len(town.get("/api/payment-cycles/").json()["results"]) == 4
    assert len(four) == len(one)  # not one query per cycle
