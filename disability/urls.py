"""Routes of disability welfare (残疾人福利); the project includes them under /api/. These paths are a contract."""

from django.urls import path

from disability.api import DisabilityCoverageView

urlpatterns = [
    path("coverage/disability/", DisabilityCoverageView.as_view(), name="coverage-disability"),
]
