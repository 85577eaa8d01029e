"""信息核对 beside the department records: the case page shows what the monitoring feeds hold about the household
(source, date, content in words), only records the user may see, and says so when there are none."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from monitoring.models import DeptRecord, FeedBatch
from tests.assistance_pages.test_desk import _import_batch

pytestmark = pytest.mark.django_db


def _pension(staff, areas, person, amount: str) -> DeptRecord:
    batch = FeedBatch.objects.create(import_batch=_import_batch(staff["district_officer"], areas), feed_type="pension",
                                     department="人社", status=FeedBatch.Status.DONE, area_id=areas["district"],
                                     created_by=staff["district_officer"], period="2026-02")
    return DeptRecord.objects.create(feed_type="pension", batch=batch, person=person, area_id=person.area_id,
                                     id_number=person.id_number or "", name=person.name, event_date=date(2026, 2, 1),
                                     payload={"monthly_amount": amount, "kind": "基本养老金", "payer": "区社保中心"},
                                     period="2026-02", dedup_key=f"k{person.pk}{amount}")


def test_verify_step_shows_the_households_department_records(login, staff, cases, areas):
    case = cases.make("investigated", names=("核对户", "核对户妻"))
    head = case.household.members.get(relation="head").person
    _pension(staff, areas, head, str(Decimal("3200.00")))
    html = login(staff["town_officer"]).get(reverse("assistance-case", args=[case.pk])).content.decode()
    panel = html[html.index('data-testid="case-dept-records"'):].split("</ul>")[0]
    assert "人社 · 养老金及工资发放" in panel and "2026-02-01" in panel
    assert "核对户" in panel and "月发放金额（元）：3200.00" in panel and "发放类型：基本养老金" in panel
    assert "monthly_amount" not in panel  # column keys are shown as their headers


def test_verify_step_says_when_the_feeds_hold_nothing(login, staff, cases):
    case = cases.make("investigated", names=("无记录户",))
    html = login(staff["town_officer"]).get(reverse("assistance-case", args=[case.pk])).content.decode()
    assert "部门数据中暂无本家庭成员的记录" in html


def test_the_panel_is_not_shown_before_the_verify_step(login, staff, cases):
    case = cases.make("accepted", names=("未核对户",))
    html = login(staff["town_officer"]).get(reverse("assistance-case", args=[case.pk])).content.decode()
    assert 'data-testid="case-dept-records"' not in html
