"""家庭监测链条: one household's data events, warnings, task handling (escalation, outcome), enrolment changes and
payment stops in time order; scoped by area; linked from the warning list, the task pages and the household page;
its Excel download is an export of personal data (grant + access log)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_create
from audit.models import AccessLog
from monitoring.models import Warning
from programs.models import Enrolment, EnrolmentChange
from tasks.models import Task
from tasks.services import task_close, tasks_escalate_overdue
from tests.conftest import PASSWORD


def row(person, event_date, **payload):
    return {"id_number": person.id_number, "name": person.name, "event_date": event_date, **payload}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def story(people, upload, personas, areas):
    """household_a (低保): 李四 marries (warning → task, escalated when overdue, closed by the district);
    张三, who also holds a 高龄津贴 of his own, is cremated (death recorded → his allowance ends: 停发)."""
    officer = personas["district_officer"]
    allowance = Enrolment.objects.create(program_id="gaoling", person=people["a1"], area_id=areas["community_a"],
                                         monthly_amount=Decimal("25.00"), start_month=date(2025, 1, 1))
    EnrolmentChange.objects.create(enrolment=allowance, kind="start", to_amount=Decimal("25.00"),
                                   to_status="active", reason="高龄津贴纳入", effective_month=date(2025, 1, 1),
                                   area_id=areas["community_a"])
    upload("marriage", [row(people["a2"], "2026-01-10", kind="结婚登记", spouse_name="陈某")])
    warning = Warning.objects.get(rule__code="marriage_enrolled")
    task = Task.objects.get(source_type="monitoring.warning", source_id=warning.pk)
    Task.objects.filter(pk=task.pk).update(deadline=timezone.now() - timedelta(hours=1))
    assert tasks_escalate_overdue() == 1
    task_close(acting_user=officer, task=Task.objects.get(pk=task.pk), outcome="confirmed",
               note="已入户核实，配偶已迁入共同生活，安排复核")
    upload("funeral", [row(people["a1"], "2026-02-01", cremated_on="2026-02-03", certificate="HH1")])
    return {**people, "warning": warning, "task": task, "allowance": allowance}


def _timeline(html: str) -> str:
    return html[html.index('data-testid="chain-timeline"'):]


def test_chain_shows_every_kind_of_event_in_time_order(story, personas):
    url = reverse("monitoring-household-chain", args=[story["household_a"].pk])
    response = client_for(personas["community_worker"]).get(url)
    assert response.status_code == 200
    page = _timeline(response.content.decode())
    steps = [
        "民政婚姻登记：李四",                               # 2026-01-10: the marriage record
        "民政火化（殡葬）记录：张三",                       # 2026-02-01: the death date of the funeral record
        "高龄津贴（张三）：纳入",                          # recorded today, before the files came in
        "预警：救助家庭成员婚姻状况变化（李四）",           # the marriage warning …
        "创建：救助家庭成员婚姻状况变化：李四",             # … its task,
        "最低生活保障（低保）：安排复核",                   # the re-check it brought forward,
        "超期升级：救助家庭成员婚姻状况变化：李四",         # the escalation when overdue,
        "办结：救助家庭成员婚姻状况变化：李四",             # the closing with its outcome;
        "预警：享受救助人员火化（殡葬）记录（张三）",       # then the funeral warning,
        "登记死亡（2026-02-01）",                           # the death recorded from it,
        "高龄津贴（张三）：终止（停发）",                   # and the payment stop.
    ]
    positions = [page.index(step) for step in steps]
    assert positions == sorted(positions), [s for s, p in zip(steps, positions, strict=True)]
    assert "办结：情况属实，已处置" in page and "配偶已迁入共同生活" in page
    assert "登记类型：结婚登记" in page and "对方姓名：陈某" in page  # codes shown as their labels
    assert "升级至区（县）督办" in page


def test_chain_is_scoped_by_area(story, personas, areas):
    url = reverse("monitoring-household-chain", args=[story["household_a"].pk])
    assert client_for(personas["town_officer"]).get(url).status_code == 200
    assert client_for(personas["outsider"]).get(url).status_code == 404  # town B
    other_worker = user_create(username="cw2", password=PASSWORD, roles=["community_worker"],
                               area_code=areas["community_a2"], validate=False)
    assert client_for(other_worker).get(url).status_code == 404  # the next community in the same town
    anonymous = Client().get(url)
    assert anonymous.status_code == 302


def test_chain_shows_id_numbers_masked_and_logs_the_excel_export(story, personas):
    url = reverse("monitoring-household-chain", args=[story["household_a"].pk])
    page = client_for(personas["district_officer"]).get(url).content.decode()
    assert story["a1"].id_number not in page and story["a1"].masked_id_number in page
    assert not AccessLog.objects.exists()
    response = client_for(personas["district_officer"]).get(url, {"format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    log = AccessLog.objects.get()
    assert log.kind == AccessLog.Kind.EXPORT and log.detail["filters"] == {"household": story["household_a"].pk}
    assert log.detail["rows"] >= 11
    # a community worker has no export grant
    assert client_for(personas["community_worker"]).get(url, {"format": "xlsx"}).status_code == 403
    assert AccessLog.objects.count() == 1


def test_chain_is_linked_from_warnings_tasks_and_the_household(story, personas):
    url = reverse("monitoring-household-chain", args=[story["household_a"].pk])
    officer = client_for(personas["district_officer"])
    assert url in officer.get(reverse("monitoring-warnings"), {"status": "all"}).content.decode()
    assert url in officer.get(reverse("task-detail", args=[story["task"].pk])).content.decode()
    assert url in officer.get(reverse("household-detail", args=[story["household_a"].pk])).content.decode()
    town = client_for(personas["town_officer"])
    # the funeral warning's task is open in town A's queue
    assert url in town.get(reverse("task-queue")).content.decode()


def test_chain_shows_codes_as_labels_and_nothing_of_other_households(people, upload, personas):
    upload("disability", [row(people["a2"], "2025-06-01", certificate="D1", category="肢体残疾", grade="三级"),
                          row(people["b1"], "2025-06-01", certificate="D2", category="视力残疾", grade="一级")])
    url = reverse("monitoring-household-chain", args=[people["household_a"].pk])
    page = _timeline(client_for(personas["district_officer"]).get(url).content.decode())
    assert "残联残疾人证：李四" in page and "残疾类别：肢体残疾" in page and "残疾等级：3" in page
    assert "王五" not in page and "视力残疾" not in page
