"""Routes of programmes (救助与补贴项目); the project includes them under /api/. These paths are a contract."""

from django.urls import path

from programs.api import (
    ParameterListView,
    ProgramListView,
    QuoteView,
    RerateConfirmView,
    RerateListView,
)
from programs.api_enrolments import EnrolmentListView

urlpatterns = [
    path("programs/", ProgramListView.as_view(), name="programs-list"),
    path("programs/<slug:code>/quote/", QuoteView.as_view(), name="programs-quote"),
    path("programs/<slug:code>/parameters/", ParameterListView.as_view(), name="programs-parameters"),
    path("enrolments/", EnrolmentListView.as_view(), name="enrolments-list"),
    path("rerates/", RerateListView.as_view(), name="rerates-list"),
    path("rerates/<int:pk>/confirm/", RerateConfirmView.as_view(), name="rerates-confirm"),
]
