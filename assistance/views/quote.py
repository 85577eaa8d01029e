"""测算 page: household (or person) + programme + month → the quote lines, by programs.calculations.quote — the
same code the case, the API and the re-checks use."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assistance.forms import QuoteForm, default_month
from programs.calculations import quote
from web.views.common import require, service_errors_to_form


@login_required
@require_GET
def quote_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "application", "view")
    submitted = "program" in request.GET
    form = QuoteForm(request.GET if submitted else None, user=request.user,
                     initial={"month": default_month()})
    result = None
    if submitted and form.is_valid():
        data = form.cleaned_data
        try:
            result = quote(program=data["program"], household=data["household"], person=data["person"],
                           month=data["month"], **form.inputs()).as_json()
        except ValidationError as exc:
            service_errors_to_form(form, exc)
    return render(request, "assistance/quote.html", {"form": form, "result": result})
