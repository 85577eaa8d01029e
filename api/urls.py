"""The REST API (`/api/…`). Paths here are a contract for outside systems: keep them stable.

Routes end with a slash; ids are digits only (anything else is a JSON 404, never a query), and an unknown
path under /api/ answers in JSON too.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.api import ClientTokenView, LogoutView, TokenListView, TokenObtainView, TokenRevokeView
from accounts.api_users import UserLookupView
from api.errors import api_not_found
from areas.api import AreaViewSet
from registry import api as registry_api

router = SimpleRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("persons", registry_api.PersonViewSet, basename="person")
router.register(r"persons/(?P<person_pk>[0-9]{1,18})/disabilities", registry_api.PersonDisabilityViewSet,
                basename="person-disabilities")
router.register("households", registry_api.HouseholdViewSet, basename="household")
router.register(r"households/(?P<household_pk>[0-9]{1,18})/incomes", registry_api.HouseholdIncomeViewSet,
                basename="household-incomes")
router.register(r"households/(?P<household_pk>[0-9]{1,18})/assets", registry_api.HouseholdAssetViewSet,
                basename="household-assets")
router.register("incomes", registry_api.IncomeViewSet, basename="income")
router.register("assets", registry_api.AssetViewSet, basename="asset")
router.register("disabilities", registry_api.DisabilityViewSet, basename="disability")
router.register("income-categories", registry_api.IncomeCategoryViewSet, basename="income-category")

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("auth/client-token/", ClientTokenView.as_view(), name="api-client-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("auth/tokens/", TokenListView.as_view(), name="api-tokens"),
    re_path(r"^auth/tokens/(?P<pk>[0-9]{1,18})/revoke/$", TokenRevokeView.as_view(), name="api-token-revoke"),
    path("users/", UserLookupView.as_view(), name="api-users"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script from its own URL: no inline script, so the CSP holds.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("workcalendar.urls")),
    path("", include(router.urls)),
    path("", include("programs.urls")),
    path("", include("casework.urls")),
    path("", include("assistance.urls")),
    path("", include("tasks.urls")),
    path("", include("monitoring.urls")),
    path("", include("payments.urls")),
    path("", include("payments.urls_reports")),
    path("", include("payments.custody.urls")),
    path("", include("disability.urls")),
    path("", include("children.urls")),
    path("", include("eldercare.urls")),
    path("", include("indicators.urls")),
    path("", include("carevisits.urls")),
    re_path(r"^.*$", api_not_found, name="api-not-found"),
]
