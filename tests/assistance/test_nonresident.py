"""急难发生地救助: a non-resident in sudden hardship (户籍 in 成都, no household here) is recorded minimally, helped
first by the town within its limit (先行救助), paid once through the payroll, the steps completed afterwards, and
the home district told by a printed, logged 通报函."""

from datetime import date
from decimal import Decimal

import pytest

from assistance.letters import nonresident_report_pdf
from audit.models import AccessLog
from casework.models import Case
from payments.models import PaymentLine
from payments.services import cycle_open
from programs.models import Enrolment
from programs.selectors import parameter_at
from registry.facts import fact_on
from registry.models import Person, PersonFact
from tests.assistance_pages.pdftext import pdf_text
from tests.assistance_pages.test_documents import cid_font  # noqa: F401
from tests.conftest import make_id
from tests.payments.conftest import generate  # noqa: F401

pytestmark = pytest.mark.django_db
CHENGDU = "510104"  # 成都市锦江区


def _body(areas, amount="800", **who):
    person = {"name": "外地急难", "id_number": make_id(CHENGDU, "19900505", 41), "hukou_place": CHENGDU,
              "phone": "13800000000", "area": areas["community_a"], **who}
    return {"program": "linshi", "linshi_kind": "jinan", "amount": amount, "nonresident": person,
            "authorised_data_check": True}


def test_a_non_resident_is_helped_at_the_place_of_emergency_and_paid_once(api, staff, areas, clock, generate,  # noqa: F811
                                                                          client, cid_font):  # noqa: F811
    case = api.submit("town_officer", _body(areas))
    cid = case["id"]
    person = Person.objects.get(name="外地急难")
    assert person.area_id == areas["community_a"]
    assert fact_on(person, PersonFact.Kind.HUKOU_PLACE, date(2026, 3, 2)).value == CHENGDU + "000000"
    stored = Case.objects.get(pk=cid)
    assert stored.household_id is None and stored.person_id == person.pk and stored.inputs["linshi_kind"] == "jinan"

    api.step("town_officer", cid, "accept", {})
    limit = parameter_at("linshi", "town_limit", areas["community_a"], date(2026, 3, 1)).value
    too_much = str((limit + 1).quantize(Decimal("0.01")))
    over = api.step("town_officer", cid, "urgent_approve", {"amount": too_much}, expect=400)
    assert "超出乡镇（街道）先行救助审批限额" in over["amount"][0]
    case = api.step("town_officer", cid, "urgent_approve", {"amount": "800"})
    assert case["status"] == "approved_pending_completion" and case["monthly_amount"] == "800.00"
    enrolment = Enrolment.objects.get(pk=case["enrolment"])
    assert (enrolment.household_id, enrolment.person_id, enrolment.status, enrolment.start_month,
            enrolment.end_month) == (None, person.pk, "ended", date(2026, 3, 1), date(2026, 3, 1))  # one-off
    assert enrolment.calculation["household_size"] == 1

    # paid once, in the payroll of the month of the approval, and not the month after
    march = cycle_open(acting_user=staff["district_officer"], month=date(2026, 3, 1))
    generate(march, staff["district_officer"])
    lines = PaymentLine.objects.filter(enrolment=enrolment)
    assert [line.amount for line in lines] == [Decimal("800.00")]
    april = cycle_open(acting_user=staff["district_officer"], month=date(2026, 4, 1))
    generate(april, staff["district_officer"])
    assert PaymentLine.objects.filter(enrolment=enrolment).count() == 1

    # the home district is told: the letter carries the full ID number, so printing it is a logged export
    client.force_login(staff["town_officer"])
    page = client.get(f"/assistance/cases/{cid}/").content.decode()
    assert f"/assistance/cases/{cid}/pdf/report/" in page and "临时救助情况通报函" in page
    response = client.get(f"/assistance/cases/{cid}/pdf/report/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content).replace("\n", "")  # a narrow cell may wrap the number
    assert person.id_number in text and CHENGDU in text and "800.00" in text, text[text.find("800.00") - 300:]
    assert AccessLog.objects.filter(user=staff["town_officer"], kind="export", detail__filters__case=cid,
                                    detail__filters__kind="report").exists()

    # 事后补充材料: the formal steps are completed afterwards, and no second payment follows
    api.to_publicised(cid)
    clock.set(date(2026, 3, 9))
    case = api.step("district_approver", cid, "confirm", {})
    assert case["status"] == "confirmed" and case["enrolment"] == enrolment.pk
    assert Enrolment.objects.filter(person=person).count() == 1


def test_the_report_is_only_for_non_resident_cases(api, staff, families, areas, clock, client):
    household, _ = families.household(["本地户"])
    case = api.submit("town_officer", {"program": "linshi", "household": household.pk, "linshi_kind": "jinan",
                                       "amount": "300"})
    client.force_login(staff["town_officer"])
    assert client.get(f"/assistance/cases/{case['id']}/pdf/report/").status_code == 404


def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(api, areas, families, clock):
    bad_hukou = api.submit("town_officer", _body(areas, hukou_place="51"), expect=400)
    assert "hukou_place" in bad_hukou
    bad_id = api.submit("town_officer", _body(areas, id_number="510104199005051234"), expect=400)
    assert "id_number" in bad_id
    no_amount = {**_body(areas)}
    no_amount.pop("amount")
    assert "amount" in api.submit("town_officer", no_amount, expect=400)
    wrong_program = {**_body(areas), "program": "dibao"}
    assert "nonresident" in api.submit("town_officer", wrong_program, expect=400)
    # someone with a household in the district applies as a household
    _, (local,) = families.household(["本区居民"])
    resident = api.submit("town_officer", _body(areas, name="本区居民", id_number=local.id_number), expect=400)
    assert "有家庭登记" in resident["id_number"][0]
    assert not Case.objects.exists() and not Person.objects.filter(name="外地急难").exists()
    # another town may not open it in town A's community
    api.submit("outsider", _body(areas), expect=403)


def test_letter_renders_without_a_decision_yet(api, areas, clock):
    case = Case.objects.get(pk=api.submit("town_officer", _body(areas))["id"])
    assert nonresident_report_pdf(case).startswith(b"%PDF")
