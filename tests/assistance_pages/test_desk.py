"""The desk (工作台) on the home page: each persona finds what is theirs to do, scoped to their area, by deadline;
numbers carry thousands separators."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance import services
from monitoring.models import FeedBatch, Rule, Warning
from payments.models import PaymentCycle, PaymentException
from programs.models import Enrolment
from tasks.services import task_create
from web.templatetags.web_tags import thousands

pytestmark = pytest.mark.django_db


def _home(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _block(html: str, key: str) -> str:
    """The HTML of one desk block ("" when the block is not shown)."""
    marker = f'data-testid="desk-{key}"'
    if marker not in html:
        return ""
    start = html.index(marker)
    return html[start:html.index("</section>", start)]


def _figures(block: str) -> list[str]:
    return re.findall(r'data-testid="figure">([^<]*)<', block)


def test_thousands_separators_for_counts_and_money():
    assert thousands(1234567) == "1,234,567"
    assert thousands(Decimal("1234567.5")) == "1,234,567.50"
    assert thousands(Decimal("980.00")) == "980.00"
    assert thousands(None) == "—"


def test_town_officer_sees_new_applications_first_then_by_deadline(login, staff, cases):
    accepted = cases.make("accepted", names=("受理户",))
    new = cases.make("submitted", names=("新申请户",))
    other_town = cases.make("submitted", names=("外镇户",), area=cases.families.areas["community_b"])
    html = _home(login(staff["town_officer"]))
    block = _block(html, "application-queue")
    links = re.findall(r'href="/assistance/cases/(\d+)/" data-testid="desk-case-link"', block)
    assert links == [str(new.pk), str(accepted.pk)], "the new application to accept comes first"
    assert "已申请（待受理）" in block and "新申请待受理" in block
    assert str(other_town.pk) not in re.findall(r"/assistance/cases/(\d+)/", html), "another town's case"
    assert _block(html, "my-applications") and _block(html, "tasks") and _block(html, "warnings")
    assert not _block(html, "cycles") and not _block(html, "payment-exceptions")


def test_community_worker_sees_the_applications_they_submitted_and_their_stage(login, staff, cases):
    worker = staff["community_worker"]
    household, _ = cases.household(("协理户",))
    mine = services.application_submit(acting_user=worker, program="dibao", household=household,
                                       authorised_data_check=True)
    cases.advance(mine, "accepted")
    by_town = cases.make("submitted", names=("镇街录入户",))
    html = _home(login(worker))
    block = _block(html, "my-applications")
    assert f'href="/assistance/cases/{mine.pk}/"' in block and "已受理（待入户调查）" in block
    assert f"/assistance/cases/{by_town.pk}/" not in block, "only the applications this worker submitted"
    assert "?mine=1" in block
    assert not _block(html, "application-queue"), "a community worker takes no step of the queue"


def test_town_tasks_overdue_and_due_this_week(login, staff, areas):
    now = timezone.now()
    task_create(kind="visit", title="走访困难户甲", area_code=areas["community_a"], handling_level="town",
                deadline=now - timedelta(days=1))
    task_create(kind="visit", title="走访困难户乙", area_code=areas["community_a"], handling_level="town",
                deadline=now + timedelta(days=3))
    task_create(kind="visit", title="外镇任务", area_code=areas["community_b"], handling_level="town",
                deadline=now - timedelta(days=1))
    block = _block(_home(login(staff["town_officer"])), "tasks")
    assert _figures(block) == ["2", "1", "1"]  # total, overdue, due this week
    assert "走访困难户甲" in block and "已超期" in block and "外镇任务" not in block
    queue = login(staff["town_officer"]).get(reverse("task-queue")).content.decode()
    assert "<td>走访</td>" in queue and "<td>visit</td>" not in queue, "the task type in words"


def test_district_officer_finds_confirmations_exceptions_and_feeds(login, staff, cases, areas):
    publicised = cases.make("publicised", names=("公示户", "公示户妻"))
    cycle = PaymentCycle.objects.create(district_id=areas["district"], month=date(2026, 3, 1),
                                        status=PaymentCycle.Status.GENERATED, created_by=staff["district_officer"])
    person = cases.families.person("无卡人")
    line = cycle.lines.create(enrolment=Enrolment.objects.create(
        program_id="dibao", person=person, area_id=person.area_id, monthly_amount=Decimal("800"),
        start_month=date(2026, 1, 1)), program_id="dibao", person=person, area_id=person.area_id,
        month=cycle.month, covered_month=cycle.month, kind="regular", amount=Decimal("800"))
    PaymentException.objects.create(cycle=cycle, line=line, area_id=person.area_id, kind="bank_account_missing",
                                    detail="无有效银行账户", found_at=timezone.now())
    FeedBatch.objects.create(import_batch=_import_batch(staff["district_officer"], areas), feed_type="death",
                             department="公安", status=FeedBatch.Status.FAILED, area_id=areas["district"],
                             created_by=staff["district_officer"], error="格式不符")
    html = _home(login(staff["district_officer"]))
    assert f'href="/assistance/cases/{publicised.pk}/"' in _block(html, "confirmations")
    exceptions = _block(html, "payment-exceptions")
    assert "银行账户缺失或无效" in exceptions and "无卡人" in exceptions
    assert f'href="{reverse("bank-account-edit", args=[person.pk])}"' in exceptions, "straight to the form"
    assert "公安" in _block(html, "feeds")
    assert not _block(html, "cycles"), "the officer does not approve"


def _import_batch(user, areas):
    from imports.models import ImportBatch

    fields = {f.name for f in ImportBatch._meta.get_fields()}
    data = {"created_by": user} if "created_by" in fields else {}
    if "area" in fields:
        data["area_id"] = areas["district"]
    if "kind" in fields:
        data["kind"] = "feed"
    return ImportBatch.objects.create(**data)


def test_approver_sees_cycles_awaiting_approval(login, staff, areas):
    waiting = PaymentCycle.objects.create(district_id=areas["district"], month=date(2026, 3, 1), line_count=12345,
                                          total_amount=Decimal("9876543.21"), status=PaymentCycle.Status.GENERATED,
                                          created_by=staff["district_officer"])
    PaymentCycle.objects.create(district_id=areas["district"], month=date(2026, 2, 1),
                                status=PaymentCycle.Status.APPROVED, created_by=staff["district_officer"])
    block = _block(_home(login(staff["district_approver"])), "cycles")
    assert f'href="/payments/cycles/{waiting.pk}/"' in block and "2026年2月" not in block
    assert "12,345 条" in block and "9,876,543.21 元" in block


def test_leader_sees_key_figures_of_the_area_and_overdue_lists(login, staff, cases, clock, areas):
    late = cases.make("accepted", names=("超期户",))
    cases.make("submitted", names=("新户",))  # open, no deadline yet
    clock.set(date(2026, 4, 30))
    household, people = cases.household(("在保户",))
    Enrolment.objects.create(program_id="dibao", household=household, person=people[0], area_id=household.area_id,
                             monthly_amount=Decimal("1234.50"), start_month=date(2026, 1, 1))
    rule = Rule.objects.create(code="desk_rule", name="测试规则", feed_type="death", warning_type="death",
                               handling_level="town", deadline_working_days=5)
    Warning.objects.create(rule=rule, warning_type="death", severity=2, person=people[0], area_id=people[0].area_id,
                           dedup_key="desk-1")
    html = _home(login(staff["leader"]))
    overview = html.split('data-testid="desk-overview"')[1].split("</section>")[0]
    assert re.search(r'figure-cases-open">2<', overview) and re.search(r'figure-cases-overdue">1<', overview)
    assert re.search(r'figure-warnings-open">1<', overview)
    assert "最低生活保障" in overview and "1,234.50" in overview
    assert f'href="/assistance/cases/{late.pk}/"' in _block(html, "overdue-applications")
    assert not _block(html, "application-queue") and not _block(html, "cycles")


def test_a_town_user_sees_no_district_overview(login, staff):
    assert 'data-testid="desk-overview"' not in _home(login(staff["town_reviewer"]))
