"""Routes of 养老服务 under /api/. These paths are a contract."""

from django.urls import path

from eldercare.api import AssessmentCreateView, AssessmentItemsView, CareHomeListView

urlpatterns = [
    path("assessments/items/", AssessmentItemsView.as_view(), name="assessment-items"),
    path("assessments/", AssessmentCreateView.as_view(), name="assessment-create"),
    path("care-homes/", CareHomeListView.as_view(), name="care-home-list"),
]
