"""API routes of 卡折代管, included under /api/ by api/urls.py. These paths are a contract."""

from rest_framework.routers import SimpleRouter

from payments.custody.api import CustodyViewSet

router = SimpleRouter()
router.register("card-custodies", CustodyViewSet, basename="card-custody")

urlpatterns = router.urls
