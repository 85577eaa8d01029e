"""Routes of the case kernel; the project includes them under /api/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from casework.api import CloseRelativeViewSet

router = SimpleRouter()
router.register("close-relatives", CloseRelativeViewSet, basename="close-relative")

urlpatterns = [path("", include(router.urls))]
