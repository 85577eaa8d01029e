"""The import through a REAL Celery worker and Redis broker on PostgreSQL (not eager, not in-process).

The worker is a subprocess pointed at pytest's test database; `transaction=True` commits the test's data so
the worker sees it. Skipped only on SQLite (an in-memory test database cannot be shared with a subprocess).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from imports.models import ImportBatch
from imports.services import import_batch_commit, import_batch_stage
from jobs.models import Job
from registry.models import Household, Person
from tests.imports.helpers import families, to_csv

BROKER = "redis://127.0.0.1:6379/15"
TIMEOUT = 60

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
                       reason="needs PostgreSQL"),
    # serialized_rollback (as every transactional test here): the data the migrations seed (roles, grants)
    # is restored after another transactional test's flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _database_url() -> str:
    """The URL of the test database (pytest-django renamed NAME to test_<name>) for the worker."""
    db = settings.DATABASES["default"]
    credentials = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{'@' if credentials else ''}{host}{port}/{db['NAME']}"


@pytest.fixture
def worker():
    """A solo-pool worker on the test database; yields a function returning what it wrote to stderr."""
    root = Path(settings.BASE_DIR)
    # the worker reads the upload from the test's temporary MEDIA_ROOT (set by the autouse `media_root` fixture)
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": BROKER,
           "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    errors = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "minzheng", "worker", "--pool=solo",
         "--concurrency=1", "-l", "warning", "-Q", "imports"],  # only the imports queue: the job is routed there
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=errors)

    def stderr() -> str:
        errors.seek(0)
        return errors.read()

    try:
        yield stderr
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        errors.close()


@pytest.fixture
def broker():
    """Make this test process enqueue to Redis instead of running tasks eagerly; restore afterwards."""
    from minzheng.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER
    _forget_broker_pool(app)
    try:
        app.control.purge()  # messages left by an earlier, interrupted run would name other job ids
        yield app
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        _forget_broker_pool(app)


def _forget_broker_pool(app) -> None:
    """Celery keeps the connection pool of the broker URL it first used (an earlier eager task makes one for
    memory://); drop it and the producer pool built on it so the next send connects to the current URL."""
    app._pool = None
    app.amqp._producer_pool = None


def _wait(job_id: int, stderr) -> Job:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.2)
    pytest.fail(f"job {job_id} did not finish within {TIMEOUT}s; worker stderr:\n{stderr()}")


def test_import_runs_through_a_real_worker(worker, broker, personas, areas):
    officer = personas["district_officer"]
    batch = import_batch_stage(acting_user=officer, schema="persons_households", filename="居民.csv",
                               content=to_csv(families(20, areas["community_a"])))
    assert batch.status == ImportBatch.Status.STAGED  # enqueued, not run here
    job = _wait(batch.job_id, worker)
    assert job.status == Job.Status.DONE, f"{job.error}\n{worker()}"
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED and batch.good_rows == 60
    assert job.progress_total == 60

    job = import_batch_commit(acting_user=officer, batch=batch)
    job = _wait(job.pk, worker)
    assert job.status == Job.Status.DONE, f"{job.error}\n{worker()}"
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and batch.committed_rows == 60
    assert Person.objects.count() == 60 and Household.objects.count() == 20
