"""申请查询: find an application within one's area by name, ID number, case number, status, programme, town."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.policy import allowed, area_in_scope
from assistance.forms import program_choices
from assistance.selectors import SEARCH_LIMIT, CaseQuery, applications_search, case_rows, id_query_kind
from assistance.workflows import STATES
from casework import clock
from casework.selectors import user_level
from web.views.common import AreaFilter, require


def _query(request: HttpRequest, towns: set[str]) -> tuple[CaseQuery, str]:
    """The query from the address bar; anything unknown is dropped, with a hint when the text cannot be used."""
    get = request.GET
    number = get.get("no", "").strip()
    town = get.get("town", "")
    programs = dict(program_choices())
    query = CaseQuery(text=get.get("q", "").strip()[:50], number=int(number) if number.isdigit() and
                      len(number) <= 18 else None, state=get.get("state", "") if get.get("state") in STATES else "",
                      program=get.get("program", "") if get.get("program") in programs else "",
                      town=town if town in towns and area_in_scope(request.user, town) else "",
                      mine=get.get("mine") == "1")
    hint = ""
    if id_query_kind(query.text) == "short":
        hint = "身份证号请至少输入后4位；只输入1至3位数字无法查询。"
    if number and query.number is None:
        hint = "案件编号应为数字。"
    return query, hint


@login_required
@require_GET
def case_search(request: HttpRequest) -> HttpResponse:
    require(request.user, "application", "view")
    areas = AreaFilter.from_request(request)
    query, hint = _query(request, {t.code for t in areas.towns})
    asked = any(request.GET.get(k) for k in ("q", "no", "state", "program", "town", "mine"))
    rows, more = [], False
    if asked:
        cases = list(applications_search(request.user, query)[: SEARCH_LIMIT + 1])
        more = len(cases) > SEARCH_LIMIT
        rows = case_rows(cases[:SEARCH_LIMIT], clock.today())
    return render(request, "assistance/search.html", {
        "rows": rows, "more": more, "asked": asked, "hint": hint, "query": query, "limit": SEARCH_LIMIT,
        "states": list(STATES.items()), "programs": program_choices()[1:], "towns": areas.towns,
        "can_apply": allowed(request.user, "application", "add"),
        "may_submit": allowed(request.user, "application", "add") and user_level(request.user) is not None})
