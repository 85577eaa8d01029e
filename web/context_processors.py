"""Navigation by capability (按业务导航) and who is signed in, shown in the base layout."""

from django.urls import NoReverseMatch, reverse

from accounts.policy import allowed

# (label, url name, resource): an item shows only when the user may view that resource.
NAV_ITEMS = [
    ("居民信息库", "person-list", "person"),
    ("家庭", "household-list", "household"),
    ("数据导入", "import-list", "import"),
    ("社会救助", "assistance-queue", "application"),
    ("动态监测", "monitoring-warnings", "warning"),
    ("探访关爱", "carevisits-compliance", "carevisit"),
    ("待办任务", "task-queue", "task"),
    ("儿童福利", "children-list", "child"),
    ("资金发放", "payment-cycle-list", "payment"),
    ("调整待遇", "rerate-list", "policy"),
    ("分档救助金额", "tier-list", "policy"),
    ("残疾人两项补贴", "disability-coverage", "enrolment"),
    ("养老服务", "eldercare-assessments", "assessment"),
    ("养老机构", "eldercare-homes", "carehome"),
    ("适老化改造", "eldercare-adaptations", "service_order"),
    ("时间银行", "eldercare-timebank", "time_bank"),
    ("数字驾驶舱", "cockpit", "indicator"),
    ("接口客户端", "api-client-list", "api_client"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = []
    for label, name, resource in NAV_ITEMS:
        if not allowed(user, resource, "view"):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # a capability whose pages are not installed is not shown
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav": items, "user_roles": [role.name for role in user.roles.all()]}
