"""Monitoring demo data (demo.monitoring via load_demo): a month of feeds with their row errors, non-residents and
review queue, the warnings they raised, and tasks in every state — all through the services."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from monitoring.models import FeedBatch, MatchReview, Warning
from tasks.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", persons=3000, cases=30, seed=20261101, allow_non_debug=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_a_month_of_feeds_was_processed(demo):
    batches = list(FeedBatch.objects.select_related("import_batch"))
    assert {b.feed_type for b in batches} == {"vehicle", "medical", "unemployment", "pension"}
    assert all(b.status == FeedBatch.Status.DONE for b in batches)
    assert sum(b.non_residents for b in batches) >= 1  # the other district's row was dropped, only counted
    assert sum(b.import_batch.bad_rows for b in batches) >= 1  # the bad date is a row error
    assert MatchReview.objects.exists()  # the row without an ID number waits for a person to match it
    assert "动态监测演示数据" in demo


def test_warnings_and_tasks_in_every_state(demo):
    assert Warning.objects.filter(status="open").exists() and Warning.objects.filter(status="closed").exists()
    statuses = set(Task.objects.values_list("status", flat=True))
    assert {Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.CLOSED} <= statuses
    outcomes = set(Task.objects.filter(status=Task.Status.CLOSED).values_list("outcome", flat=True))
    assert outcomes == {"confirmed", "not_confirmed", "handed_over"}
    assert Task.objects.filter(escalation_level__gte=1).exists()
