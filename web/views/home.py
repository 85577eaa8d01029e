"""Home (首页): the user's desk (工作台) — what is theirs to do at their level, by deadline (web.desk)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.policy import allowed
from web.desk import desk_for


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Every block goes through the scoped selectors, so each user sees the work of their own area only."""
    user = request.user
    context = {
        **desk_for(user),
        "can": {
            "person_view": allowed(user, "person", "view"),
            "person_add": allowed(user, "person", "add"),
            "household_view": allowed(user, "household", "view"),
            "household_add": allowed(user, "household", "add"),
            "application_view": allowed(user, "application", "view"),
            "application_add": allowed(user, "application", "add"),
        },
    }
    return render(request, "web/home.html", context)
