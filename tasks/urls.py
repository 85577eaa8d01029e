"""Routes of tasks (任务); the project includes them under /api/. These paths are a contract."""

from rest_framework.routers import SimpleRouter

from tasks.api import TaskViewSet

router = SimpleRouter()
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = router.urls
