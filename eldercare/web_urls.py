"""Page URLs of 养老服务, mounted at /eldercare/ by web/urls.py. Names are stable."""

from django.urls import path

from eldercare import views, views_homes, views_vouchers

urlpatterns = [
    path("assessments/", views.assessment_list, name="eldercare-assessments"),
    path("assessments/new/<int:person_id>/", views.assessment_new, name="eldercare-assessment-new"),
    path("assessments/<int:pk>/", views.assessment_detail, name="eldercare-assessment"),
    path("assessments/<int:pk>/report.pdf", views.assessment_pdf, name="eldercare-assessment-pdf"),
    path("homes/", views_homes.home_list, name="eldercare-homes"),
    path("homes/<int:pk>/", views_homes.home_detail, name="eldercare-home"),
    path("homes/<int:pk>/report/", views_homes.home_report, name="eldercare-home-report"),
    path("homes/<int:pk>/daily-check/", views_homes.home_daily_check, name="eldercare-home-check"),
    path("homes/<int:pk>/inspection/", views_homes.home_inspection, name="eldercare-home-inspection"),
    path("orders/", views_homes.order_list, name="eldercare-orders"),
    path("providers/", views_vouchers.provider_list, name="eldercare-providers"),
    path("providers/<int:pk>/payee/", views_vouchers.provider_payee, name="eldercare-provider-payee"),
    path("vouchers/settlement/", views_vouchers.settlement, name="eldercare-settlement"),
]
