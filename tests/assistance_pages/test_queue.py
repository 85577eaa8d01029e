"""The work queue (待办) and the overdue page (超期): what is due at my level, by deadline, with the working days
left coloured; filters; keyset pages; the re-checks due beside them."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assistance.models import Recheck
from assistance.rechecks import rechecks_schedule_missing
from casework.models import Case

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


def _queue_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/assistance/cases/(\d+)/" data-testid="case-link"', html)]


def _accepted_on(cases, clock, day: date, names) -> Case:
    clock.set(day)
    return cases.make("accepted", names=names)


def test_queue_is_ordered_by_deadline_with_days_left_coloured(login, staff, cases, clock):
    old = _accepted_on(cases, clock, date(2026, 3, 2), ("早户",))    # investigation due 2026-03-05
    mid = _accepted_on(cases, clock, date(2026, 3, 5), ("中户",))    # due 2026-03-10
    new = _accepted_on(cases, clock, date(2026, 3, 9), ("晚户",))    # due 2026-03-12
    clock.set(date(2026, 3, 9))
    html = _html(login(staff["town_officer"]).get(reverse("assistance-queue")))
    assert _queue_ids(html) == [old.pk, mid.pk, new.pk]
    rows = html.split('data-testid="case-link"')[1:]
    assert "超期 2 个工作日" in rows[0] and "text-bg-danger" in rows[0] and "早户" in rows[0]
    assert "剩 1 个工作日" in rows[1] and "text-bg-warning" in rows[1]
    assert "剩 3 个工作日" in rows[2] and "text-bg-success" in rows[2]


def test_queue_shows_only_what_is_due_at_my_level(login, staff, cases):
    submitted = cases.make("submitted", names=("待受理",))
    evaluated = cases.make("evaluated", names=("待初审",))
    officer = _queue_ids(_html(login(staff["town_officer"]).get(reverse("assistance-queue"))))
    reviewer = _queue_ids(_html(login(staff["town_reviewer"]).get(reverse("assistance-queue"))))
    assert submitted.pk in officer and evaluated.pk not in officer
    assert reviewer == [evaluated.pk]


def test_provisional_deadline_has_its_badge(login, staff, cases, clock, settings):
    settings.MINZHENG_ASSISTANCE_VARIANT = "national"  # 30 working days: the count that runs into 2027
    clock.set(date(2026, 12, 28))
    case = cases.make("verified")  # only the overall deadline matters now, and it runs into 2027
    assert case.deadline_provisional
    # nationally the next step after 信息核对 is the town review
    html = _html(login(staff["town_reviewer"]).get(reverse("assistance-queue")))
    row = html.split('data-testid="case-link"')[1]
    assert "暂定" in row


def test_filters_by_state_and_programme(login, staff, cases):
    submitted = cases.make("submitted", names=("甲",))
    accepted = cases.make("accepted", names=("乙",))
    client = login(staff["town_officer"])
    assert _queue_ids(_html(client.get(reverse("assistance-queue"), {"state": "accepted"}))) == [accepted.pk]
    assert _queue_ids(_html(client.get(reverse("assistance-queue"), {"program": "tekun"}))) == []
    both = _queue_ids(_html(client.get(reverse("assistance-queue"), {"program": "dibao"})))
    assert set(both) == {submitted.pk, accepted.pk}
    partial = client.get(reverse("assistance-queue"), {"state": "submitted"}, HTTP_HX_REQUEST="true")
    assert "<html" not in _html(partial) and _queue_ids(_html(partial)) == [submitted.pk]


def test_keyset_pages_walk_the_whole_queue_once(login, staff, cases, clock, monkeypatch):
    monkeypatch.setattr("assistance.views.queue.PAGE_SIZE", 2)
    made = [cases.make("submitted", names=(f"户{i}",)).pk for i in range(3)]  # no deadline yet: new, first
    made += [_accepted_on(cases, clock, date(2026, 3, 2), ("受理户",)).pk]
    client = login(staff["town_officer"])
    seen, url = [], reverse("assistance-queue")
    while url:
        html = _html(client.get(url))
        seen += _queue_ids(html)
        found = re.search(r'href="(\?[^"]*after=[^"]+)">下一页', html)
        url = reverse("assistance-queue") + found.group(1).replace("&amp;", "&") if found else None
    assert seen == made[:3] + [made[3]]


def test_rechecks_due_appear_as_due_work(login, staff, cases, clock):
    case = cases.make("confirmed")
    recheck = case.enrolment.rechecks.get()
    client = login(staff["town_officer"])
    table = _html(client.get(reverse("assistance-queue"))).split('data-testid="recheck-table"')[1]
    assert "暂无到期复核" in table  # due in September, more than 30 days away
    clock.set(date(2026, 8, 20))
    table = _html(client.get(reverse("assistance-queue"))).split('data-testid="recheck-table"')[1]
    assert f'href="/assistance/rechecks/{recheck.pk}/"' in table and recheck.due_on.isoformat() in table


def test_schedule_missing_fills_the_due_list(login, staff, cases, clock):
    case = cases.make("confirmed")
    Recheck.objects.filter(enrolment=case.enrolment).delete()
    assert rechecks_schedule_missing() == 1
    assert rechecks_schedule_missing() == 0  # idempotent


def test_overdue_page_counts_per_town_and_per_officer(login, staff, cases, clock):
    _accepted_on(cases, clock, date(2026, 3, 2), ("超期甲",))
    _accepted_on(cases, clock, date(2026, 3, 2), ("超期乙",))
    _accepted_on(cases, clock, date(2026, 3, 12), ("未超期",))
    clock.set(date(2026, 3, 12))
    html = _html(login(staff["district_officer"]).get(reverse("assistance-overdue")))
    towns = html.split('data-testid="overdue-towns"')[1].split("</table>")[0]
    assert "小龙坎街道" in towns and ">2</td>" in towns
    officers = html.split('data-testid="overdue-officers"')[1].split("</table>")[0]
    assert "<td>to</td>" in officers and ">2</td>" in officers
    assert "超期甲" in html and "未超期" not in html


def test_queue_queries_do_not_grow_with_the_rows(login, staff, cases):
    client = login(staff["town_officer"])
    cases.make("accepted", names=("一户",))
    client.get(reverse("assistance-queue"))  # warm the session and the grant cache
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("assistance-queue"))
    for i in range(4):
        cases.make("accepted", names=(f"多户{i}", f"多户{i}妻"))
    with CaptureQueriesContext(connection) as many:
        html = _html(client.get(reverse("assistance-queue")))
    assert len(_queue_ids(html)) == 5
    assert len(many.captured_queries) == len(few.captured_queries)
