"""Jobs: claimed once by a conditional update, progress recorded, failures kept on the record."""

import pytest

from jobs.models import Job
from jobs.services import job_claim, job_handler, job_progress, job_retry, job_run, job_start

pytestmark = pytest.mark.django_db


@job_handler("test.count")
def _count(job):
    job_progress(job, done=0, total=3, message="开始")
    job_progress(job, done=3, message="完成")
    return {"counted": 3}


@job_handler("test.fail")
def _fail(job):
    raise RuntimeError("故意失败")


def test_job_runs_in_process_and_records_progress(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="test.count", params={})
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.result == {"counted": 3} and "完成" in job.log


def test_a_job_is_claimed_only_once():
    job = Job.objects.create(kind="test.count")
    assert job_claim(job.pk) is True
    assert job_claim(job.pk) is False


def test_failure_is_recorded_and_can_be_retried(django_capture_on_commit_callbacks):
    job = Job.objects.create(kind="test.fail")
    with pytest.raises(RuntimeError):
        job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "故意失败" in job.error
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.attempts == 2
