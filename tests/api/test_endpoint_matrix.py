"""The permission matrix generated over every API endpoint (viewsets and views alike), not only the registry.

The endpoints are read from the URL resolver, so a new viewset or view is checked without being listed here:
- no permission: anonymous callers are refused everywhere; a signed-in user who holds no role reads nothing
  personal (a refusal, a 404, or an empty list) and writes nothing;
- permitted: every list endpoint answers 200 to at least one persona;
- other town: a record of town A that town A's officer can open is a 404 for town B's officer (and a nested
  list under a town-A parent as well).
Only reference data (programmes, feed types, income categories, the calendar, areas) may be read without a
grant; such endpoints are named in REFERENCE, so a new one must be classified here on purpose.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts.services import user_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PUBLIC = {"api-token", "api-client-token", "api-schema", "api-docs", "api-not-found"}
# Reference data, the same for everyone signed in (no personal data, nothing area-scoped).
REFERENCE = {"programs-list", "programs-parameters", "feed-types", "income-category-list",
             "calendar-add-working-days", "calendar-working-days-between", "area-list", "area-detail"}
PERSONAS = ["community_worker", "town_officer", "town_reviewer", "district_officer", "district_approver", "leader",
            "admin", "outsider"]
# The caller's own account (their tokens, signing out): every signed-in user, about themselves only.
OWN_ACCOUNT = {"api-tokens", "api-logout", "api-token-revoke"}
# The staff directory: no grant needed, but only the caller's own area and below (tests/api/test_integrators.py).
SCOPED_WITHOUT_GRANT = {"api-users"}
# Path values for parameters that are not a numeric id, and required query strings.
PATH_VALUES = {("area-detail", "code"): "500106000000", ("programs-quote", "code"): "dibao",
               ("programs-parameters", "code"): "dibao", ("feed-upload", "feed_type"): "pension",
               ("indicator-values", "code"): "payroll_amount"}
REPORTS = ("amounts", "recipients", "ontime", "exceptions")
QUERY = {**{f"payment-report-{r}{x}": "from=2026-01&to=2026-01" for r in REPORTS for x in ("", "-xlsx")},
         "programs-quote": "month=2026-01", "coverage-disability": "month=2026-01",
         "calendar-add-working-days": "start=2026-01-05&days=3",
         "calendar-working-days-between": "start=2026-01-05&end=2026-01-09",
         "indicator-values": "area=500106000000&period=2026-01"}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _methods(pattern) -> list[str]:
    actions = getattr(pattern.callback, "actions", None)
    if actions:
        return sorted(actions)
    view = getattr(pattern.callback, "cls", None)
    if view is None:
        return ["get"]
    return sorted(m for m in ("get", "post", "patch", "put", "delete") if hasattr(view, m))


def _params(pattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


ROUTES = {p.name: route for route, p in _walk(get_resolver().url_patterns)
          if route.startswith("api/") and p.name and p.name not in PUBLIC}
ENDPOINTS = sorted({(p.name, tuple(_params(p)), tuple(_methods(p))) for route, p in _walk(get_resolver().url_patterns)
                    if route.startswith("api/") and p.name and p.name not in PUBLIC})
GETS = [(name, params) for name, params, methods in ENDPOINTS if "get" in methods]
WRITES = [(name, params, method) for name, params, methods in ENDPOINTS for method in methods if method != "get"]
LISTS = [name for name, params in GETS if not params]
GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")


def _url(name: str, params=(), value: str = "1") -> str:
    """The endpoint's own path (names may repeat a page's URL name, so no reverse()), parameters filled in."""
    route = ROUTES[name].replace("^", "").replace("$", "")
    path = GROUP.sub(lambda m: PATH_VALUES.get((name, m.group(1) or m.group(2)), value), route)
    return "/" + path + (f"?{QUERY[name]}" if name in QUERY else "")


def _client(user) -> APIClient:
    from accounts.tokens import api_token_issue

    client = APIClient()
    if user is not None:
        _token, key = api_token_issue(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def nobody(areas):
    """Signed in, at the district, without any role."""
    return user_create(username="nobody", password=PASSWORD, roles=[], area_code=areas["district"], validate=False)


@pytest.fixture
def town_a_data(records, personas, areas):
    """Records in town A and town B (an income, an asset, a disability each), and in town A an application and an
    enrolment of household A."""
    from assistance.services import application_submit
    from programs.models import Enrolment

    application_submit(acting_user=personas["town_officer"], program="dibao", household=records["household_a"])
    Enrolment.objects.create(program_id="dibao", household=records["household_a"], person=records["a1"],
                             area_id=areas["community_a"], monthly_amount=Decimal("500.00"),
                             start_month=date(2026, 1, 1))
    return records


def test_the_endpoints_are_found():
    names = {name for name, _, _ in ENDPOINTS}
    assert {"person-list", "application-detail", "task-list", "warning-list", "payment-cycles",
            "enrolments-list"} <= names
    assert REFERENCE <= names  # a renamed reference endpoint must be reclassified, not silently dropped


@pytest.mark.parametrize("name, params, method", [(n, p, "get") for n, p in GETS] + WRITES,
                         ids=lambda v: v if isinstance(v, str) else "")
def test_anonymous_is_refused_everywhere(name, params, method):
    response = getattr(_client(None), method)(_url(name, params), {}, format="json") if method != "get" \
        else _client(None).get(_url(name, params))
    assert response.status_code == 401, (name, method, response.status_code)


def _ids(response) -> list[int]:
    body = response.json()
    rows = body.get("results", body) if isinstance(body, dict) else body
    return [row["id"] for row in rows if isinstance(row, dict) and "id" in row] if isinstance(rows, list) else []


def _real_value(name: str, params, personas, data) -> str:
    """An id that exists in town A for the endpoint's path: the parent of a nested list, else the first record
    town A's officer lists at the matching list endpoint (else 1)."""
    if params[:1] == ("person_pk",):
        return str(data["a1"].pk)
    if params[:1] == ("household_pk",):
        return str(data["household_a"].pk)
    listing = f"{name.rsplit('-', 1)[0]}-list"
    ids = _ids(_client(personas["town_officer"]).get(_url(listing, ()))) if listing in LISTS else []
    return str(ids[0]) if ids else "1"


@pytest.mark.parametrize("name, params", GETS, ids=[n for n, _ in GETS])
def test_no_role_reads_nothing(nobody, personas, town_a_data, name, params):
    response = _client(nobody).get(_url(name, params, _real_value(name, params, personas, town_a_data)))
    if name in REFERENCE | SCOPED_WITHOUT_GRANT | OWN_ACCOUNT:
        assert response.status_code in (200, 403, 404), (name, response.status_code)
        return
    if response.status_code == 200:
        assert _nothing(response.json()), (name, response.json())  # a filtered list or summary: empty
        return
    assert response.status_code in (403, 404), (name, response.status_code)


def _nothing(body) -> bool:
    """No rows and no counts: [], {"results": []}, or a summary whose every figure is 0 (labels and dates aside)."""
    if isinstance(body, list):
        return all(_nothing(item) for item in body)
    if isinstance(body, dict):
        return "id" not in body and all(_nothing(v) for v in body.values())
    if isinstance(body, bool) or body is None or isinstance(body, str):
        return not body or isinstance(body, str)
    return body == 0


OTHERS_WRITES = [(name, params, method) for name, params, method in WRITES if name not in OWN_ACCOUNT]


@pytest.mark.parametrize("name, params, method", OTHERS_WRITES, ids=[f"{n}-{m}" for n, _, m in OTHERS_WRITES])
def test_no_role_writes_nothing(nobody, personas, town_a_data, name, params, method):
    from audit.models import ChangeLog, DomainEvent

    before = ChangeLog.objects.count(), DomainEvent.objects.count()
    response = getattr(_client(nobody), method)(_url(name, params, _real_value(name, params, personas, town_a_data)),
                                                {}, format="json")
    # Refused, or (where the input is checked before the grant) invalid: never done.
    assert response.status_code in (400, 403, 404, 405, 415), (name, method, response.status_code)
    assert (ChangeLog.objects.count(), DomainEvent.objects.count()) == before


@pytest.mark.parametrize("name", LISTS)
def test_someone_may_read_each_list(personas, town_a_data, name):
    statuses = {persona: _client(personas[persona]).get(_url(name, ())).status_code for persona in PERSONAS}
    assert 200 in statuses.values(), (name, statuses)


DETAILS = [(name, params) for name, params in GETS if params == ("pk",) and name.endswith("-detail")]


def test_another_towns_records_are_not_found(personas, town_a_data):
    """For every list+detail pair: each record town A's officer lists is a 404 for town B's officer."""
    own, other = _client(personas["town_officer"]), _client(personas["outsider"])
    checked = set()
    for name, params in DETAILS:
        base = name.removesuffix("-detail")
        listing = f"{base}-list"
        if name in REFERENCE or listing not in LISTS:
            continue
        for pk in _ids(own.get(_url(listing, ())))[:3]:
            assert own.get(_url(name, params, str(pk))).status_code == 200, (name, pk)
            assert other.get(_url(name, params, str(pk))).status_code == 404, (name, pk)
            checked.add(base)
    assert {"person", "household", "income", "application"} <= checked  # not vacuous


NESTED = [(name, params) for name, params in GETS if params and params[0] in ("person_pk", "household_pk")]


@pytest.mark.parametrize("name, params", NESTED, ids=[n for n, _ in NESTED])
def test_another_towns_nested_lists_are_not_found(personas, town_a_data, name, params):
    parent = town_a_data["a1"] if params[0] == "person_pk" else town_a_data["household_a"]
    assert _client(personas["town_officer"]).get(_url(name, params, str(parent.pk))).status_code == 200
    assert _client(personas["outsider"]).get(_url(name, params, str(parent.pk))).status_code == 404
