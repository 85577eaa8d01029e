"""Page URLs of 养老服务, mounted at /eldercare/ by web/urls.py. Names are stable."""

from django.urls import path

from eldercare import views, views_community, views_homes, views_vouchers

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
    path("homes/<int:pk>/admit/", views_homes.home_admit, name="eldercare-home-admit"),
    path("homes/<int:pk>/residents/<int:resident_id>/discharge/", views_homes.home_discharge,
         name="eldercare-home-discharge"),
    path("orders/", views_homes.order_list, name="eldercare-orders"),
    path("adaptations/", views_community.adaptation_list, name="eldercare-adaptations"),
    path("adaptations/new/<int:person_id>/", views_community.adaptation_new, name="eldercare-adaptation-new"),
    path("adaptations/<int:pk>/", views_community.adaptation_detail, name="eldercare-adaptation"),
    path("adaptations/<int:pk>/acceptance/", views_community.adaptation_acceptance,
         name="eldercare-adaptation-acceptance"),
    path("time-bank/", views_community.timebank_list, name="eldercare-timebank"),
    path("time-bank/<int:person_id>/", views_community.timebank_volunteer, name="eldercare-timebank-volunteer"),
    path("providers/", views_vouchers.provider_list, name="eldercare-providers"),
    path("providers/<int:pk>/payee/", views_vouchers.provider_payee, name="eldercare-provider-payee"),
    path("vouchers/settlement/", views_vouchers.settlement, name="eldercare-settlement"),
]
