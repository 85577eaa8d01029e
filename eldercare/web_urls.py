"""Page URLs of 养老服务, mounted at /eldercare/ by web/urls.py. Names are stable."""

from django.urls import path

from eldercare import views

urlpatterns = [
    path("assessments/", views.assessment_list, name="eldercare-assessments"),
    path("assessments/new/<int:person_id>/", views.assessment_new, name="eldercare-assessment-new"),
    path("assessments/<int:pk>/", views.assessment_detail, name="eldercare-assessment"),
    path("assessments/<int:pk>/report.pdf", views.assessment_pdf, name="eldercare-assessment-pdf"),
]
