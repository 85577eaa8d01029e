"""Celery application (后台任务). Tasks are thin: they call services and record progress on a Job."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")

app = Celery("minzheng")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The scheduled tasks of CELERY_BEAT_SCHEDULE live together in jobs/periodic.py.
app.autodiscover_tasks(["jobs"], related_name="periodic")
