"""The project's URLs plus the bank page parts under /payments/, as the integrator will mount them."""

from django.urls import include, path

from minzheng.urls import urlpatterns as project

urlpatterns = [path("payments/", include("payments.web_urls_bank")), *project]
