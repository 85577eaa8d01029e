"""A programme is a row plus two registered functions: a subsidy that exists only in this test — one `Program`
row, one policy parameter and the two functions below — goes from the application through every step to
confirmation and enrolment, then into a generated, checked and approved payroll and a bank file, with no other
code. Its deadlines are the workflow's defaults (it has no deadline parameter of its own), its decision cites
its own legal basis, its investigation form shows its own input, and the payroll's ceiling is its row's rule."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest

from assistance import documents
from assistance.forms import InvestigateForm
from casework.models import Case
from casework.workflows import workflow_get
from payments.models import PaymentException, PaymentLine
from payments.services import bank_account_register, cycle_approve, cycle_open
from payments.services_bank import bank_files_generate
from programs.calculations import QuoteContext, register_calculator, register_eligibility
from programs.calculations.money import money
from programs.models import Enrolment, PolicyParameter, Program
from tests.assistance import conftest as assistance_fixtures
from tests.assistance.conftest import working_days_after
from tests.assistance_pages.pdftext import pdf_text
from tests.payments import conftest as payment_fixtures
from tests.payments.conftest import MAR

pytestmark = pytest.mark.django_db
# The journey is driven like the assistance and payments tests, with their fixtures.
staff, clock, api, families = (assistance_fixtures.staff, assistance_fixtures.clock, assistance_fixtures.api,
                               assistance_fixtures.families)
roll, generate = payment_fixtures.roll, payment_fixtures.generate

CODE = "ceshi_butie"
NAME = "测试生活补贴"
BASIS = "《测试生活补贴办法》第三条"
RATE_KEY = "ceshi_per_person"


@register_eligibility(CODE)
def ceshi_eligibility(ctx: QuoteContext) -> None:
    """Any household with a member present qualifies, unless the officer finds it has a car."""
    members = ctx.household_facts.members_in(ctx.month)
    ctx.values["household_size"] = len(members)
    ctx.line("在户人数", len(members))
    if not members:
        ctx.refuse("家庭无在户成员")
    if ctx.input_flag("no_supporter"):  # reuse of an existing input: "has a car" would be a new one
        ctx.refuse("经办人认定不符合条件")


@register_calculator(CODE)
def ceshi_amount(ctx: QuoteContext) -> Decimal:
    rate = ctx.param(RATE_KEY)
    amount = rate.value * ctx.values["household_size"]
    ctx.line(f"{NAME} = {money(rate.value)} × {ctx.values['household_size']}", money(amount))
    return amount


@pytest.fixture
def programme(areas):
    program = Program(code=CODE, name=NAME, unit=Program.Unit.HOUSEHOLD, calculator=CODE, eligibility=CODE,
                      recurring=True, sort=90, workflow="assistance", application_name="测试生活补贴",
                      legal_basis=BASIS, start_month=Program.StartMonth.APPROVAL, quote_inputs=["no_supporter"],
                      ceiling={"per_person": {"*": RATE_KEY}, "fixed": [], "label": "测试标准 × 在户人数"})
    program.full_clean()  # the admin's checks: registered functions, a known workflow family, a valid ceiling
    program.save()
    PolicyParameter.objects.create(program=program, key=RATE_KEY, area_code="500000000000", value=Decimal("120"),
                                   valid_from=date(2026, 1, 1), source="测试文件（仅用于测试）")
    return program


def test_a_new_programme_goes_from_application_to_a_bank_file(programme, api, staff, families, clock, generate,
                                                              monkeypatch, settings):
    household, (head, child) = families.household(["新甲", "新乙"])
    bank_account_register(acting_user=staff["district_officer"], person=head, bank_name="重庆农村商业银行",
                     account_number="6221000012345678")
    # the programme is offered wherever programmes are listed, from its row
    assert workflow_get(f"{CODE}.chongqing").name == "测试生活补贴申请（重庆规则）"
    case = api.submit("community_worker", {"program": CODE, "household": household.pk,
                                           "authorised_data_check": True})
    cid = case["id"]
    listed = api.get("town_officer", f"/api/applications/?program={CODE}")
    assert [row["id"] for row in listed["results"]] == [cid]
    # its deadlines are the workflow's defaults: it has no deadline parameter of its own
    assert not PolicyParameter.objects.filter(program=programme, key__startswith="deadline_").exists()
    case = api.step("town_officer", cid, "accept", {})
    assert case["deadline"] == working_days_after(date(2026, 3, 2), 3).isoformat()
    # the Chongqing rule (the default): 30 日 from 受理 (评议 and 公示 days added as they happen)
    assert case["deadlines"]["overall_due"] == (date(2026, 3, 2) + timedelta(days=30)).isoformat()
    assert "默认值" in PolicyParameter.objects.get(pk=case["deadline_basis"]["overall_due"]["parameter"]).note
    # the investigation form asks for exactly the inputs its row lists
    form = InvestigateForm(case=Case.objects.get(pk=cid), user=staff["town_officer"])
    assert [f.name for f in form.assessment_fields()] == ["no_supporter"]
    api.step("town_officer", cid, "investigate", {"investigators": [staff["town_officer"].pk,
                                                                    staff["town_officer2"].pk]})
    api.step("town_officer", cid, "verify", {"sources": ["hukou"], "result": "match"})
    api.step("town_officer", cid, "evaluate", {"participants": 5, "result": "agree"})
    case = api.step("town_reviewer", cid, "review", {"opinion": "agree"})
    assert case["monthly_amount"] == "240.00"
    assert case["calculation"]["review"]["lines"][-1] == {"label": f"{NAME} = 120.00 × 2", "value": "240.00"}
    case = api.step("town_officer", cid, "publish", {})
    assert case["notices"][0]["days"] == 7  # the default publicity period
    clock.set(date(2026, 3, 9))
    case = api.step("district_approver", cid, "confirm", {})
    assert case["status"] == "confirmed"
    enrolment = Enrolment.objects.get(pk=case["enrolment"])
    assert (enrolment.program_id, enrolment.monthly_amount, enrolment.start_month, enrolment.person_id) == (
        CODE, Decimal("240.00"), MAR, head.pk)  # paid from the month of approval, to the applicant

    # the decision cites the programme's own legal basis
    settings.MINZHENG_PDF_FONT = ""
    monkeypatch.setattr(documents, "FONT_CANDIDATES", [])
    documents.pdf_font.cache_clear()
    documents.styles.cache_clear()
    try:
        text = pdf_text(documents.decision_pdf(Case.objects.get(pk=cid)))
    finally:
        documents.pdf_font.cache_clear()
        documents.styles.cache_clear()
    assert BASIS in text and "240.00" in text

    # the payroll pays it: generated, checked against its ceiling (nothing above), approved, exported
    cycle = cycle_open(acting_user=staff["district_officer"], month=MAR)
    generate(cycle, staff["district_officer"])
    line = PaymentLine.objects.get(cycle=cycle, enrolment=enrolment)
    assert (line.kind, line.amount, line.account_number) == ("regular", Decimal("240.00"), "6221000012345678")
    assert not PaymentException.objects.filter(cycle=cycle).exists()
    cycle = cycle_approve(acting_user=staff["district_approver"], cycle=cycle)
    (bank_file,) = bank_files_generate(acting_user=staff["district_officer"], cycle=cycle)
    rows = list(csv.reader(io.StringIO(bytes(bank_file.content).decode(bank_file.encoding))))
    assert rows[1] == ["1", "新甲", head.id_number, "6221000012345678", "240.00", NAME,
                                  f"2026年03月{NAME}"]
    assert (bank_file.item_count, bank_file.total_amount) == (1, Decimal("240.00"))


def test_the_payroll_ceiling_is_the_rows_rule(programme, roll, staff, generate):
    """A line above the row's ceiling (120 × the living members) is flagged with the row's label; without a rule
    the same line passes."""
    household, _ = roll.household(2)
    roll.enrol(CODE, "300.00", household=household, start=MAR)
    cycle = cycle_open(acting_user=staff["district_officer"], month=MAR)
    generate(cycle, staff["district_officer"])
    flagged = PaymentException.objects.get(cycle=cycle, kind=PaymentException.Kind.ABOVE_STANDARD)
    assert "超过上限 240.00 元（测试标准 × 在户人数）" in flagged.detail

    programme.ceiling = {}
    programme.save()
    cycle.refresh_from_db()
    generate(cycle, staff["district_officer"])
    assert not PaymentException.objects.filter(cycle=cycle, kind=PaymentException.Kind.ABOVE_STANDARD,
                                               status=PaymentException.Status.OPEN).exists()


def test_the_admin_refuses_an_unknown_family_or_a_malformed_ceiling(programme):
    programme.workflow, programme.ceiling = "nothing", {"per_person": {"suburban": RATE_KEY}}
    with pytest.raises(Exception) as exc:
        programme.full_clean()
    assert set(exc.value.message_dict) == {"workflow", "ceiling"}
    assert "未登记的办理流程：nothing" in exc.value.message_dict["workflow"][0]
