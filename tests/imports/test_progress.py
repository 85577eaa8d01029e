"""Commit progress is written outside the commit's transaction where the database allows a second writer."""

import pytest
from django.db import connection, transaction

from imports.progress import progress_outside_transaction
from jobs.models import Job


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_inside_a_transaction_is_visible_at_once_and_survives_a_rollback():
    job = Job.objects.create(kind="import.commit")
    with pytest.raises(RuntimeError), transaction.atomic():
        with progress_outside_transaction(job) as report:
            report(5, 10)
            seen = Job.objects.values_list("progress_done", "progress_total").get(pk=job.pk)
        raise RuntimeError("the commit fails after reporting")
    after = Job.objects.values_list("progress_done", "progress_total").get(pk=job.pk)
    if connection.vendor == "postgresql":
        # written by a second connection: read committed sees it inside the transaction, and it stays
        assert seen == (5, 10) and after == (5, 10)
    else:
        # SQLite has one writer, held by the open transaction: progress is written when the job ends instead
        assert seen == (0, 0) and after == (0, 0)


@pytest.mark.django_db
def test_progress_without_a_job_is_a_no_op():
    with progress_outside_transaction(None) as report:
        report(1, 2)
    assert not Job.objects.exists()
