"""Household pages (家庭): list, detail with members, income, assets and history, creation and edits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import allowed
from audit.models import DomainEvent
from registry import services
from registry.models import Asset, Household, HouseholdMember, Income, Person
from registry.selectors import household_detail, households_visible, keyset_page, person_search
from web.forms import (
    AssetForm,
    HouseholdEditForm,
    HouseholdForm,
    IncomeForm,
    MemberAddForm,
    MemberFormSet,
    MemberRemoveForm,
)
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


@login_required
@require_GET
def household_list(request: HttpRequest) -> HttpResponse:
    """家庭列表: filter by area or by a member's name / ID number; keyset pages, no counting."""
    require(request.user, "household", "view")
    query = request.GET.get("q", "").strip()
    area_filter = AreaFilter.from_request(request)
    households = area_filter.apply(households_visible(request.user))
    if query:
        members = HouseholdMember.objects.filter(is_active=True, person__in=person_search(user=request.user,
                                                                                            query=query))
        households = households.filter(pk__in=members.values("household_id"))
    active = HouseholdMember.objects.filter(is_active=True).select_related("person").order_by("id")
    households = households.select_related("area").prefetch_related(Prefetch("members", queryset=active))
    rows, next_cursor = keyset_page(households, after=after_cursor(request), size=PAGE_SIZE)
    context = {"households": rows, "next_cursor": next_cursor, "q": query, "filter": area_filter,
               "paged": after_cursor(request) is not None, "can_add": allowed(request.user, "household", "add")}
    # A history restore (back button with an empty htmx cache) needs the whole page, not the partial.
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "web/households/_results.html", {**context, "oob": True})
    return render(request, "web/households/list.html", context)


def _household_or_404(request: HttpRequest, pk: int) -> Household:
    try:
        return household_detail(user=request.user, pk=pk)
    except Household.DoesNotExist as exc:
        raise Http404("家庭不存在或不在您的管辖范围内") from exc


def _active_people(household: Household):
    return Person.objects.filter(memberships__household=household, memberships__is_active=True).order_by("pk")


def _detail_context(request: HttpRequest, household: Household, **forms) -> dict:
    user = request.user
    members = list(household.members.all())
    records = {Household: [household.pk], HouseholdMember: [m.pk for m in members],
               Income: [i.pk for i in household.incomes.all()], Asset: [a.pk for a in household.assets.all()]}
    can = {
        "change": allowed(user, "household", "change"),
        "income": allowed(user, "income", "add"),
        "asset": allowed(user, "asset", "add"),
    }
    context = {
        "household": household,
        "members": members,
        "can": can,
        "history": history_rows(history_for(records)),
        "events": timeline(DomainEvent.objects.filter(household=household)),
        "open_form": next(iter(forms), ""),
    }
    if can["change"]:
        context["edit_form"] = forms.get("edit_form") or HouseholdEditForm(
            initial={"hukou_type": household.hukou_type, "address": household.address})
        context["member_form"] = forms.get("member_form") or MemberAddForm(user=user, prefix="new")
        context["remove_form"] = forms.get("remove_form") or MemberRemoveForm(household=household)
    if can["income"]:
        context["income_form"] = forms.get("income_form") or IncomeForm(members=_active_people(household))
    if can["asset"]:
        context["asset_form"] = forms.get("asset_form") or AssetForm(members=_active_people(household))
    return context


@login_required
@require_GET
def household_show(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household_or_404(request, pk)
    return render(request, "web/households/detail.html", _detail_context(request, household))


@login_required
def household_create(request: HttpRequest) -> HttpResponse:
    """新建家庭: the household and its members (picked from people in the user's area) in one service call."""
    require(request.user, "household", "add")
    data = request.POST or None
    form = HouseholdForm(data, user=request.user)
    formset = MemberFormSet(data, prefix="members", form_kwargs={"user": request.user},
                            initial=None if data else [{"relation": "head"}])
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        members = [{"person": row["person"], "relation": row["relation"]}
                   for row in formset.cleaned_data if row.get("person")]
        try:
            household = services.household_create(
                acting_user=request.user, area_code=form.cleaned_data["area"],
                hukou_type=form.cleaned_data["hukou_type"], address=form.cleaned_data["address"], members=members)
        except ValidationError as exc:
            service_errors_to_form(form, exc)
        else:
            messages.success(request, f"已新建家庭（编号 {household.pk}），成员 {len(members)} 人")
            return redirect("household-detail", pk=household.pk)
    return render(request, "web/households/form.html", {"form": form, "formset": formset})


def _detail_post(request: HttpRequest, pk: int, grant: tuple[str, str], form_name: str, make_form,
                 action) -> HttpResponse:
    """Run one detail-page form: on success back to the page, on a refused value the page with the errors."""
    require(request.user, *grant)
    household = _household_or_404(request, pk)
    form = make_form(household)
    if form.is_valid():
        try:
            message = action(household, form.cleaned_data)
        except ValidationError as exc:
            service_errors_to_form(form, exc, rename={"members": "person"})
        else:
            messages.success(request, message)
            return redirect("household-detail", pk=household.pk)
    context = _detail_context(request, household, **{form_name: form})
    return render(request, "web/households/detail.html", context)


@login_required
@require_POST
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def action(household: Household, data: dict) -> str:
        services.household_update(acting_user=request.user, household=household, hukou_type=data["hukou_type"],
                                  address=data["address"])
        return "已保存家庭信息"

    return _detail_post(request, pk, ("household", "change"), "edit_form",
                        lambda h: HouseholdEditForm(request.POST), action)


@login_required
@require_POST
def household_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    def action(household: Household, data: dict) -> str:
        member = services.household_member_add(acting_user=request.user, household=household,
                                               person=data["person"], relation=data["relation"])
        return f"{member.person.name} 已加入家庭（{member.get_relation_display()}）"

    return _detail_post(request, pk, ("household", "change"), "member_form",
                        lambda h: MemberAddForm(request.POST, user=request.user, prefix="new"), action)


@login_required
@require_POST
def household_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    def action(household: Household, data: dict) -> str:
        member = data["member"]
        services.household_member_remove(acting_user=request.user, member=member, reason=data["reason"],
                                         on=data["on"])
        return f"{member.person.name} 已离开家庭"

    return _detail_post(request, pk, ("household", "change"), "remove_form",
                        lambda h: MemberRemoveForm(request.POST, household=h), action)


@login_required
@require_POST
def household_income_add(request: HttpRequest, pk: int) -> HttpResponse:
    def action(household: Household, data: dict) -> str:
        income = services.income_add(
            acting_user=request.user, household=household, person=data["person"], category=data["category"].pk,
            monthly_amount=data["monthly_amount"], start_month=data["start_month"], end_month=data["end_month"],
            note=data["note"])
        return f"已登记收入：{income.category.name} {income.monthly_amount} 元/月"

    return _detail_post(request, pk, ("income", "add"), "income_form",
                        lambda h: IncomeForm(request.POST, members=_active_people(h)), action)


@login_required
@require_POST
def household_asset_add(request: HttpRequest, pk: int) -> HttpResponse:
    def action(household: Household, data: dict) -> str:
        asset = services.asset_add(
            acting_user=request.user, household=household, kind=data["kind"], value=data["value"],
            description=data["description"], exempt=data["exempt"], person=data["person"])
        return f"已登记财产：{asset.get_kind_display()} {asset.value} 元"

    return _detail_post(request, pk, ("asset", "add"), "asset_form",
                        lambda h: AssetForm(request.POST, members=_active_people(h)), action)
