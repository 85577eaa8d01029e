"""Queues (任务队列, minzheng/queues.py): each kind of background work is routed to its queue — imports, payroll,
rules — and the rest to default; a worker started without -Q consumes them all (make worker)."""

from django.conf import settings

from jobs.services import _HANDLERS
from minzheng.celery import app
from minzheng.queues import queue_for, queues, route


def test_the_four_queues_are_declared_and_default_is_the_default():
    assert queues() == ["imports", "payroll", "rules", "default"]
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "default"
    assert set(settings.CELERY_QUEUE_OF.values()) <= set(queues())


def test_each_job_kind_goes_to_its_queue():
    expected = {"import.validate": "imports", "import.commit": "imports", "payments.generate": "payroll",
                "monitoring.feed_run": "rules"}
    assert set(expected) <= set(_HANDLERS)  # the kinds that exist
    for kind, queue in expected.items():
        assert route("jobs.run_job", (1,), {"kind": kind}, {}) == {"queue": queue}
    # every registered kind has a queue that a worker consumes
    assert all(queue_for(kind) in queues() for kind in _HANDLERS)
    # a job sent without its kind (an old message) still runs, on default
    assert route("jobs.run_job", (1,), {}, {}) == {"queue": "default"}


def test_scheduled_tasks_are_routed_by_name():
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert route("periodic.open_payment_cycle", (), {}, {}) == {"queue": "payroll"}
    assert route("periodic.auto_enrol_old_age", (), {}, {}) == {"queue": "rules"}
    assert route("periodic.escalate_tasks", (), {}, {}) == {"queue": "default"}
    assert all(route(name, (), {}, {})["queue"] in queues() for name in names)


def test_celery_uses_the_router():
    assert app.conf.task_routes == ["minzheng.queues.route"] or list(app.conf.task_routes) == [
        "minzheng.queues.route"]
    assert app.amqp.router.route({}, "jobs.run_job", (1,), {"kind": "import.commit"})["queue"].name == "imports"
