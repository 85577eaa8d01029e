"""Routes of payments (资金发放); the project includes them under /api/. These paths are a contract."""

from django.urls import re_path

from payments import api

ID = r"(?P<pk>[0-9]{1,18})"

urlpatterns = [
    re_path(r"^payment-cycles/$", api.CycleListCreateView.as_view(), name="payment-cycles"),
    re_path(rf"^payment-cycles/{ID}/$", api.CycleDetailView.as_view(), name="payment-cycle"),
    re_path(rf"^payment-cycles/{ID}/generate/$", api.CycleGenerateView.as_view(), name="payment-cycle-generate"),
    re_path(rf"^payment-cycles/{ID}/lines/$", api.CycleLinesView.as_view(), name="payment-cycle-lines"),
    re_path(rf"^payment-cycles/{ID}/approve/$", api.CycleApproveView.as_view(), name="payment-cycle-approve"),
    re_path(rf"^payment-cycles/{ID}/exceptions/$", api.CycleExceptionsView.as_view(),
            name="payment-cycle-exceptions"),
    re_path(rf"^payment-exceptions/{ID}/accept/$", api.ExceptionAcceptView.as_view(), name="payment-exception-accept"),
]
