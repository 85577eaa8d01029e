"""Person pages (人员): list and search, detail with history, registration, edits, and the logged ID reveal."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import allowed
from audit.models import DomainEvent
from payments.custody.selectors import active_custody_of
from payments.selectors import payments_of_person
from registry import facts as person_facts
from registry import services
from registry.disclosure import certificate_number_reveal, id_number_reveal, phone_reveal
from registry.models import Disability, Person, PersonFact
from registry.selectors import current_household_of, keyset_page, person_detail, person_search
from web.forms import DeathForm, DisabilityForm, PersonCreateForm, PersonEditForm, PersonFactForm
from web.receives_now import receives_now, total_monthly
from web.views.common import (
    PAGE_SIZE,
    AreaFilter,
    after_cursor,
    history_for,
    history_rows,
    require,
    service_errors_to_form,
    timeline,
)

AUTOCOMPLETE_SIZE = 10
_FIELD_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    """居民信息库: search and filter; one view serves the page and, for htmx, just the results."""
    require(request.user, "person", "view")
    query = request.GET.get("q", "").strip()
    area_filter = AreaFilter.from_request(request)
    people = area_filter.apply(person_search(user=request.user, query=query)).select_related("area")
    rows, next_cursor = keyset_page(people, after=after_cursor(request), size=PAGE_SIZE)
    context = {"people": rows, "next_cursor": next_cursor, "q": query, "filter": area_filter,
               "paged": after_cursor(request) is not None, "can_add": allowed(request.user, "person", "add")}
    # A history restore (back button with an empty htmx cache) needs the whole page, not the partial.
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "web/persons/_results.html", {**context, "oob": True})
    return render(request, "web/persons/list.html", context)


@login_required
@require_GET
def person_autocomplete(request: HttpRequest) -> HttpResponse:
    """Pick a person for a household: only living people in the user's area, a few at a time."""
    query = request.GET.get("q", "").strip()
    field = request.GET.get("field", "")
    if not _FIELD_ID.match(field):
        field = ""
    people = []
    if query:
        found = person_search(user=request.user, query=query).exclude(status=Person.Status.DECEASED)
        people = list(found.select_related("area").order_by("name", "pk")[:AUTOCOMPLETE_SIZE])
    return render(request, "web/persons/_options.html", {"people": people, "field": field, "q": query})


def _detail_context(request: HttpRequest, person: Person, **forms) -> dict:
    user = request.user
    can_change = allowed(user, "person", "change")
    facts = list(person.facts.order_by("kind", "-valid_from"))
    # The history of records merged into this one (重复登记合并) is part of its history.
    merged = list(person.merged_from.values_list("pk", flat=True))
    history = history_for({Person: [person.pk, *merged], Disability: [d.pk for d in person.disabilities.all()],
                           PersonFact: [f.pk for f in facts]})
    household = current_household_of(person)
    receives = receives_now(user=user, person=person, household=household)
    context = {
        "person": person,
        "household": household,
        "receives_now": receives, "receives_total": total_monthly(receives),
        "can_reveal": bool(person.id_number) and allowed(user, "id_number", "reveal"),
        "can_reveal_any": allowed(user, "id_number", "reveal"),
        "can_change": can_change and person.status != Person.Status.DECEASED,
        "can_add_disability": allowed(user, "disability", "add"),
        "history": history_rows(history),
        "events": timeline(DomainEvent.objects.filter(person=person)),
        "open_form": next(iter(forms), ""),
        "facts": facts,
        "can_merge": allowed(user, "person", "merge") and person.status != Person.Status.MERGED,
        # 发放记录: every payment from every programme, for those who may read payments (area-scoped lines).
        "can_view_payments": allowed(user, "payment", "view"),
        "can_view_bank_account": allowed(user, "bank_account", "view"),
    }
    if context["can_view_payments"]:
        context["payments"] = payments_of_person(user=user, person=person)
    if context["can_view_bank_account"]:
        context["card_custody"] = active_custody_of(user, person)
    if context["can_change"]:
        context["edit_form"] = forms.get("edit_form") or PersonEditForm(
            user=user, initial={"name": person.name, "area": person.area_id})  # the phone stays masked: blank = keep
        context["death_form"] = forms.get("death_form") or DeathForm()
        context["fact_form"] = forms.get("fact_form") or PersonFactForm()
    if context["can_add_disability"]:
        context["disability_form"] = forms.get("disability_form") or DisabilityForm()
    return context


def _person_or_404(request: HttpRequest, pk: int) -> Person:
    try:
        return person_detail(user=request.user, pk=pk)
    except Person.DoesNotExist as exc:
        raise Http404("人员不存在或不在您的管辖范围内") from exc


@login_required
@require_GET
def person_show(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    return render(request, "web/persons/detail.html", _detail_context(request, person))


@login_required
@require_POST
def person_reveal_id(request: HttpRequest, pk: int) -> HttpResponse:
    """显示完整号码: the disclosure service checks the grant and writes the access log."""
    person = _person_or_404(request, pk)
    number = id_number_reveal(user=request.user, person=person)
    return render(request, "web/persons/_id_full.html", {"number": number})


@login_required
@require_POST
def person_reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    number = phone_reveal(user=request.user, person=person)
    return render(request, "web/persons/_id_full.html", {"number": number})


@login_required
@require_POST
def disability_reveal_certificate(request: HttpRequest, pk: int, disability_pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    disability = get_object_or_404(person.disabilities.all(), pk=disability_pk)
    number = certificate_number_reveal(user=request.user, disability=disability)
    return render(request, "web/persons/_id_full.html", {"number": number})


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "person", "add")
    form = PersonCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_create(
                acting_user=request.user, name=data["name"], area_code=data["area"],
                id_number=data["id_number"] or None, no_id_reason=data["no_id_reason"],
                other_document=data["other_document"], phone=data["phone"])
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"已登记人员：{person.name}")
            return redirect("person-detail", pk=person.pk)
    return render(request, "web/persons/form.html", {"form": form})


def _detail_post(request: HttpRequest, pk: int, grant: tuple[str, str], form_name: str, form,
                 action) -> HttpResponse:
    """Run one detail-page form: on success back to the page, on a refused value the page with the errors."""
    require(request.user, *grant)
    person = _person_or_404(request, pk)
    if form.is_valid():
        try:
            message = action(person, form.cleaned_data)
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, message)
            return redirect("person-detail", pk=person.pk)
    return render(request, "web/persons/detail.html", _detail_context(request, person, **{form_name: form}))


@login_required
@require_POST
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def action(person: Person, data: dict) -> str:
        phone = {"phone": data["phone"]} if data["phone"] else {}
        services.person_update(acting_user=request.user, person=person, name=data["name"], area_id=data["area"],
                               **phone)
        return "已保存人员信息"

    form = PersonEditForm(request.POST, user=request.user)
    return _detail_post(request, pk, ("person", "change"), "edit_form", form, action)


@login_required
@require_POST
def person_record_death(request: HttpRequest, pk: int) -> HttpResponse:
    def action(person: Person, data: dict) -> str:
        services.person_record_death(acting_user=request.user, person=person, death_date=data["death_date"])
        return f"已登记死亡（{data['death_date']:%Y-%m-%d}）"

    return _detail_post(request, pk, ("person", "change"), "death_form", DeathForm(request.POST), action)


@login_required
@require_POST
def person_disability_add(request: HttpRequest, pk: int) -> HttpResponse:
    def action(person: Person, data: dict) -> str:
        record = services.disability_record(
            acting_user=request.user, person=person, category=data["category"], grade=data["grade"],
            certificate_number=data["certificate_number"], issued_on=data["issued_on"])
        return f"已登记残疾情况：{record}"

    return _detail_post(request, pk, ("disability", "add"), "disability_form", DisabilityForm(request.POST), action)


@login_required
@require_POST
def person_fact_add(request: HttpRequest, pk: int) -> HttpResponse:
    """登记人员情况 (户籍地, 婚姻状况, 劳动能力, 就业状况, 重特大疾病) from a date."""

    def action(person: Person, data: dict) -> str:
        fact = person_facts.person_fact_record(
            acting_user=request.user, person=person, kind=data["kind"], value=data["value"],
            valid_from=data["valid_from"], diagnosed_on=data["diagnosed_on"])
        return f"已登记：{fact}"

    return _detail_post(request, pk, ("person", "change"), "fact_form", PersonFactForm(request.POST), action)
