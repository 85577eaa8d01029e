"""Routes of 探访关爱 (carevisits); the project includes them under /api/. These paths are a contract."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from carevisits.api import (
    ComplianceView,
    MeterAlertViewSet,
    MeterReadingsView,
    MeterViewSet,
    RosterViewSet,
    VisitViewSet,
)

router = SimpleRouter()
router.register("care-roster", RosterViewSet, basename="care-roster")
router.register("care-visits", VisitViewSet, basename="care-visit")
router.register("meters", MeterViewSet, basename="meter")
router.register("meter-alerts", MeterAlertViewSet, basename="meter-alert")

urlpatterns = [
    path("care-compliance/", ComplianceView.as_view(), name="care-compliance"),
    path("meter-readings/", MeterReadingsView.as_view(), name="meter-readings"),
    path("", include(router.urls)),
]
