"""Page URLs of tasks (待办任务页面), mounted at /tasks/ by web/urls.py. Names are stable."""

from django.urls import path

from tasks import views

urlpatterns = [
    path("", views.task_queue, name="task-queue"),
    path("<int:pk>/", views.task_detail, name="task-detail"),
]
