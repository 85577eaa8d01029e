"""Routes of payments (资金发放); the project includes them under /api/. These paths are a contract."""

from django.urls import re_path

from payments import api, api_account, api_bank, api_payees

ID = r"(?P<pk>[0-9]{1,18})"

urlpatterns = [
    re_path(r"^payment-cycles/$", api.CycleListCreateView.as_view(), name="payment-cycles"),
    re_path(rf"^payment-cycles/{ID}/$", api.CycleDetailView.as_view(), name="payment-cycle"),
    re_path(rf"^payment-cycles/{ID}/generate/$", api.CycleGenerateView.as_view(), name="payment-cycle-generate"),
    re_path(rf"^payment-cycles/{ID}/lines/$", api.CycleLinesView.as_view(), name="payment-cycle-lines"),
    re_path(rf"^payment-cycles/{ID}/approve/$", api.CycleApproveView.as_view(), name="payment-cycle-approve"),
    re_path(rf"^payment-cycles/{ID}/exceptions/$", api.CycleExceptionsView.as_view(),
            name="payment-cycle-exceptions"),
    re_path(rf"^payment-cycles/{ID}/exceptions/accept/$", api.CycleExceptionsAcceptView.as_view(),
            name="payment-cycle-exceptions-accept"),
    re_path(rf"^payment-exceptions/{ID}/accept/$", api.ExceptionAcceptView.as_view(), name="payment-exception-accept"),
]

# Bank disbursement (银行代发): files, returns, reissue, reconciliation.
urlpatterns += [
    re_path(rf"^payment-cycles/{ID}/bank-files/$", api_bank.CycleBankFilesView.as_view(),
            name="payment-cycle-bank-files"),
    re_path(rf"^bank-files/{ID}/download/$", api_bank.BankFileDownloadView.as_view(), name="bank-file-download"),
    re_path(rf"^payment-cycles/{ID}/bank-returns/$", api_bank.CycleBankReturnsView.as_view(),
            name="payment-cycle-bank-returns"),
    re_path(rf"^bank-returns/{ID}/$", api_bank.BankReturnDetailView.as_view(), name="bank-return"),
    re_path(rf"^bank-returns/{ID}/commit/$", api_bank.BankReturnCommitView.as_view(), name="bank-return-commit"),
    re_path(rf"^payment-cycles/{ID}/reissue/$", api_bank.CycleReissueView.as_view(), name="payment-cycle-reissue"),
    re_path(rf"^payment-cycles/{ID}/close/$", api_bank.CycleCloseView.as_view(), name="payment-cycle-close"),
    re_path(rf"^payment-cycles/{ID}/reconciliation/$", api_bank.CycleReconciliationView.as_view(),
            name="payment-cycle-reconciliation"),
    re_path(rf"^payment-cycles/{ID}/reconciliation/xlsx/$", api_bank.CycleReconciliationXlsxView.as_view(),
            name="payment-cycle-reconciliation-xlsx"),
]

# Bank accounts (银行账户): register, change, and a second person's confirmation of a current payee's change.
urlpatterns += [
    re_path(rf"^persons/{ID}/bank-account/$", api_account.PersonBankAccountView.as_view(), name="person-bank-account"),
    re_path(r"^organisation-payees/$", api_payees.OrganisationPayeeListView.as_view(), name="organisation-payees"),
    re_path(rf"^organisation-payees/{ID}/bank-account/$", api_payees.OrganisationBankAccountView.as_view(),
            name="organisation-bank-account"),
    re_path(rf"^bank-account-changes/{ID}/confirm/$", api_account.ChangeConfirmView.as_view(),
            name="bank-account-change-confirm"),
    re_path(rf"^bank-account-changes/{ID}/reject/$", api_account.ChangeRejectView.as_view(),
            name="bank-account-change-reject"),
]
