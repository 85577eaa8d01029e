"""Navigation by capability (按业务导航), shown in the base layout."""

from accounts.policy import allowed


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = [
        ("居民信息库", "person-list", allowed(user, "person", "view")),
        ("家庭", "household-list", allowed(user, "household", "view")),
        ("数据导入", "import-list", allowed(user, "import", "view")),
    ]
    return {"nav": [(label, name) for label, name, ok in items if ok]}
