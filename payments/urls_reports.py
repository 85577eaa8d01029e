"""Routes of the fund-supervision reports (资金监管报表); included under /api/ by api/urls.py. A contract."""

from django.urls import path

from payments import api_reports as views

urlpatterns = [
    path("payment-reports/amounts/", views.AmountsReportView.as_view(), name="payment-report-amounts"),
    path("payment-reports/amounts/xlsx/", views.AmountsReportXlsxView.as_view(), name="payment-report-amounts-xlsx"),
    path("payment-reports/recipients/", views.RecipientsReportView.as_view(), name="payment-report-recipients"),
    path("payment-reports/recipients/xlsx/", views.RecipientsReportXlsxView.as_view(),
         name="payment-report-recipients-xlsx"),
    path("payment-reports/ontime/", views.OntimeReportView.as_view(), name="payment-report-ontime"),
    path("payment-reports/ontime/xlsx/", views.OntimeReportXlsxView.as_view(), name="payment-report-ontime-xlsx"),
    path("payment-reports/exceptions/", views.ExceptionsReportView.as_view(), name="payment-report-exceptions"),
    path("payment-reports/exceptions/xlsx/", views.ExceptionsReportXlsxView.as_view(),
         name="payment-report-exceptions-xlsx"),
]
