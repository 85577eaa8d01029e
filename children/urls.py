"""Routes of children's welfare under /api/ (a contract for outside systems)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from children.api import AdoptionViewSet, ChildViewSet, CoverageView, NetworkRoleView

router = SimpleRouter()
router.register("children", ChildViewSet, basename="child")
router.register("adoptions", AdoptionViewSet, basename="adoption")

urlpatterns = [
    path("children/coverage/", CoverageView.as_view(), name="child-coverage"),
    path("children/network-roles/", NetworkRoleView.as_view(), name="child-network-roles"),
    *router.urls,
]
