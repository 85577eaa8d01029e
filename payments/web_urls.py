"""Page URLs of payments (资金发放页面), mounted at /payments/ by web/urls.py. Names are stable."""

from django.urls import path

from payments import views, views_account, views_payees, views_reports

urlpatterns = [
    path("", views.cycle_list, name="payment-cycle-list"),
    path("cycles/<int:pk>/", views.cycle_show, name="payment-cycle-detail"),
    path("cycles/<int:pk>/status/", views.cycle_status, name="payment-cycle-status"),
    path("cycles/<int:pk>/generate/", views.cycle_generate, name="payment-cycle-generate"),
    path("cycles/<int:pk>/check/", views.cycle_check, name="payment-cycle-check"),
    path("cycles/<int:pk>/approve/", views.cycle_approve, name="payment-cycle-approve"),
    path("cycles/<int:pk>/exceptions/accept/", views.exceptions_accept, name="payment-exceptions-accept-page"),
    path("exceptions/<int:pk>/accept/", views.exception_accept, name="payment-exception-accept-page"),
    path("search/", views_reports.payment_search, name="payment-search"),
    path("persons/<int:pk>/bank-account/", views_account.bank_account_edit, name="bank-account-edit"),
    path("payees/", views_payees.organisation_list, name="organisation-payee-list"),
    path("payees/<int:pk>/bank-account/", views_payees.organisation_account_edit, name="organisation-account-edit"),
    path("payees/<int:pk>/bank-account/<int:account_pk>/reveal/", views_payees.organisation_account_reveal_view,
         name="organisation-account-reveal"),
    path("reports/", views_reports.report_page, name="payment-reports"),
    path("reports/<slug:key>/", views_reports.report_page, name="payment-report"),
    path("reports/<slug:key>/xlsx/", views_reports.report_download, name="payment-report-xlsx"),
]
