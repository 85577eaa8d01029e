"""Page URLs of bank disbursement (银行代发页面), to be mounted under /payments/ (web/urls.py:
`path("payments/", include("payments.web_urls_bank"))`). Names are stable: the cycle page links to them."""

from django.urls import path

from payments import views_bank

urlpatterns = [
    path("cycles/<int:pk>/bank/", views_bank.bank_section, name="payment-bank"),
    path("cycles/<int:pk>/bank/files/", views_bank.bank_files_generate, name="payment-bank-files-generate"),
    path("cycles/<int:pk>/bank/returns/", views_bank.bank_return_upload, name="payment-bank-return-upload"),
    path("cycles/<int:pk>/bank/reissue/", views_bank.payments_reissue, name="payment-bank-reissue"),
    path("cycles/<int:pk>/bank/close/", views_bank.cycle_close, name="payment-bank-close"),
    path("cycles/<int:pk>/reconciliation.xlsx", views_bank.reconciliation_download,
         name="payment-reconciliation-xlsx"),
    path("bank-files/<int:pk>/download/", views_bank.bank_file_download, name="payment-bank-file-download"),
]
