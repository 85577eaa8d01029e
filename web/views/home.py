"""Home (首页): where the user stands and how many records their area holds."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.policy import allowed
from registry.models import Household, Person
from registry.selectors import households_visible, persons_visible


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Counts go through the scoped selectors, so each user sees the size of their own area only."""
    user = request.user
    people = persons_visible(user)
    households = households_visible(user)
    context = {
        "counts": {
            "persons": people.filter(status=Person.Status.ACTIVE).count(),
            "deceased": people.filter(status=Person.Status.DECEASED).count(),
            "households": households.filter(status=Household.Status.ACTIVE).count(),
        },
        "can": {
            "person_view": allowed(user, "person", "view"),
            "person_add": allowed(user, "person", "add"),
            "household_view": allowed(user, "household", "view"),
            "household_add": allowed(user, "household", "add"),
        },
    }
    return render(request, "web/home.html", context)
