"""Routes of social-assistance applications; the project includes them under /api/. These paths are a contract."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from assistance.api import ApplicationViewSet, WorkQueueView

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="application")

urlpatterns = [
    path("work-queue/", WorkQueueView.as_view(), name="work-queue"),
    path("", include(router.urls)),
]
