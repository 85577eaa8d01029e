"""Routes of dynamic monitoring (动态监测预警); the project includes them under /api/. These paths are a contract."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from monitoring.api import (
    FeedBatchViewSet,
    FeedTypesView,
    FeedUploadView,
    MatchReviewViewSet,
    RuleViewSet,
    WarningViewSet,
)

router = SimpleRouter()
router.register("feed-batches", FeedBatchViewSet, basename="feed-batch")
router.register("warnings", WarningViewSet, basename="warning")
router.register("rules", RuleViewSet, basename="rule")
router.register("match-reviews", MatchReviewViewSet, basename="match-review")

urlpatterns = [
    path("feeds/", FeedTypesView.as_view(), name="feed-types"),
    path("feeds/<slug:feed_type>/batches/", FeedUploadView.as_view(), name="feed-upload"),
    path("", include(router.urls)),
]
