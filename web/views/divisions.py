"""区县 look-up for a 户籍地 anywhere in the country (a public list of names: no personal data, any signed-in
user)."""

import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from areas.divisions import division_search

_FIELD_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


@login_required
@require_GET
def division_autocomplete(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:40]
    field = request.GET.get("field", "")
    return render(request, "web/_division_options.html", {
        "q": query, "divisions": division_search(query), "field": field if _FIELD_ID.match(field) else ""})
