"""The permission matrix (权限矩阵): every persona × registry model × action, through the API.

The expected status is derived from accounts/roles.py DEFAULT_GRANTS (which seeds the Grant table) plus the
area scope: everything lives in community A of town A, except a twin of each record in town B. The outsider
is a town officer of town B. KEY_CELLS below are written out by hand, so a change of grants that alters them
fails here rather than passing quietly.
"""

from datetime import date

import pytest

from accounts.roles import DEFAULT_GRANTS
from tests.conftest import make_id

pytestmark = pytest.mark.django_db

PERSONAS = ["community_worker", "town_officer", "town_reviewer", "district_officer", "district_approver", "leader",
            "admin", "outsider"]
ROLE = {persona: persona for persona in PERSONAS} | {"outsider": "town_officer"}
MODELS = ["person", "household", "income", "asset", "disability"]
ACTIONS = ["list", "detail", "add", "change", "delete"]
# Who sees community A (town A) and community B (town B).
SEES_A = {"community_worker", "town_officer", "town_reviewer", "district_officer", "district_approver", "leader",
          "admin"}
SEES_B = {"district_officer", "district_approver", "leader", "admin", "outsider"}
# Records added under a parent named in the URL, and that parent's resource.
PARENT = {"income": "household", "asset": "household", "disability": "person"}
LIST_URL = {"person": "/api/persons/", "household": "/api/households/", "income": "/api/incomes/",
            "asset": "/api/assets/", "disability": "/api/disabilities/"}

KEY_CELLS = {
    ("community_worker", "person", "add"): 201,
    ("community_worker", "household", "change"): 200,
    ("community_worker", "income", "add"): 201,
    ("town_officer", "household", "add"): 201,
    ("town_officer", "disability", "add"): 201,
    ("town_reviewer", "person", "detail"): 200,
    ("town_reviewer", "person", "add"): 403,
    ("town_reviewer", "household", "change"): 403,
    ("town_reviewer", "income", "add"): 403,
    ("district_officer", "asset", "add"): 201,
    ("district_approver", "person", "change"): 403,
    ("district_approver", "asset", "add"): 403,
    ("leader", "person", "detail"): 200,
    ("leader", "person", "add"): 403,
    ("leader", "household", "add"): 403,
    ("leader", "disability", "add"): 403,
    ("admin", "person", "change"): 200,
    ("outsider", "person", "detail"): 404,
    ("outsider", "person", "add"): 403,
    ("outsider", "person", "change"): 404,
    ("outsider", "household", "add"): 403,
    ("outsider", "household", "detail"): 404,
    ("outsider", "income", "add"): 404,
    ("outsider", "disability", "detail"): 404,
    ("admin", "person", "delete"): 405,
    ("district_officer", "household", "delete"): 405,
    ("community_worker", "income", "change"): 405,
}


def can(persona: str, resource: str, action: str) -> bool:
    return action in DEFAULT_GRANTS[ROLE[persona]].get(resource, ())


def expected_status(persona: str, model: str, action: str) -> int:
    """The status the grants and the area scope call for, on the town-A record (or adding into town A)."""
    sees_a = persona in SEES_A
    if action == "delete":
        return 405  # nothing personal is deleted, by anyone
    if action == "list":
        return 200  # the list is filtered, never refused
    if action == "detail":
        return 200 if sees_a and can(persona, model, "view") else 404
    if action == "change" and model in PARENT:
        return 405  # income, assets and disability are added, not edited: no service changes them
    if action == "change":
        if not (sees_a and can(persona, model, "view")):
            return 404
        return 200 if can(persona, model, "change") else 403
    # add
    if model in PARENT and not (sees_a and can(persona, PARENT[model], "view")):
        return 404  # the parent in the URL is not theirs
    return 201 if sees_a and can(persona, model, "add") else 403


def expected_list_ids(persona: str, model: str, records: dict) -> set[int]:
    if not can(persona, model, "view"):
        return set()
    key = {"person": None, "household": "household"}.get(model, model)
    a_side = [records["a1"], records["a2"]] if key is None else [records[f"{key}_a"]]
    b_side = [records["b1"]] if key is None else [records[f"{key}_b"]]
    return {r.pk for r in (a_side if persona in SEES_A else []) + (b_side if persona in SEES_B else [])}


@pytest.mark.parametrize("cell", sorted(KEY_CELLS), ids=lambda c: "-".join(c))
def test_key_cells_match_the_grants(cell):
    """If DEFAULT_GRANTS drifts, the derived matrix changes; these hand-written cells then disagree."""
    assert expected_status(*cell) == KEY_CELLS[cell]


def _target(model: str, records: dict):
    return {"person": records["a1"], "household": records["household_a"], "income": records["income_a"],
            "asset": records["asset_a"], "disability": records["disability_a"]}[model]


def _detail_url(model: str, records: dict) -> str:
    return f"{LIST_URL[model]}{_target(model, records).pk}/"


def _newcomer(persona: str, personas: dict, areas: dict):
    """A person in no household whom the persona can see: in community A, or in town B for the outsider."""
    from registry.services import person_create

    home = areas["community_b"] if persona == "outsider" else areas["community_a"]
    return person_create(acting_user=personas["admin"], name="新户主", area_code=home,
                         id_number=make_id("500106", "19900101", 41))


def _add(client, persona: str, model: str, records: dict, personas: dict, areas: dict, newcomer=None):
    ha, a1 = records["household_a"], records["a1"]
    if model == "person":
        return client.post("/api/persons/", {"id_number": make_id("500106", "19900101", 40), "name": "新人",
                                             "area": areas["community_a"]}, format="json")
    if model == "household":
        newcomer = newcomer or _newcomer(persona, personas, areas)
        return client.post("/api/households/", {"area": areas["community_a"], "hukou_type": "urban",
                                                "members": [{"person": newcomer.pk, "relation": "head"}]},
                           format="json")
    if model == "income":
        return client.post(f"/api/households/{ha.pk}/incomes/", {
            "person": a1.pk, "category": "wage", "monthly_amount": "800.00", "start_month": "2026-03"}, format="json")
    if model == "asset":
        return client.post(f"/api/households/{ha.pk}/assets/", {"kind": "house", "value": "1.00"}, format="json")
    return client.post(f"/api/persons/{a1.pk}/disabilities/", {"category": "visual", "grade": 4}, format="json")


def _change(client, model: str, records: dict):
    body = {"person": {"phone": "13900000000"}, "household": {"address": "改后地址"}}.get(model, {"note": "x"})
    return client.patch(_detail_url(model, records), body, format="json")


def _perform(client, persona, model, action, records, personas, areas):
    if action == "list":
        return client.get(LIST_URL[model])
    if action == "detail":
        return client.get(_detail_url(model, records))
    if action == "add":
        return _add(client, persona, model, records, personas, areas)
    if action == "change":
        return _change(client, model, records)
    return client.delete(_detail_url(model, records))


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_matrix(client_for, records, personas, areas, persona, model, action):
    response = _perform(client_for(persona), persona, model, action, records, personas, areas)

    expected = expected_status(persona, model, action)
    assert response.status_code == expected, (persona, model, action, response.content)
    if (persona, model, action) in KEY_CELLS:
        assert response.status_code == KEY_CELLS[persona, model, action]
    if action == "list":
        # the exact rows: nothing from outside the user's area, nothing missing from inside it
        assert {row["id"] for row in response.json()["results"]} == expected_list_ids(persona, model, records)
    if response.status_code in (403, 404):
        assert "detail" in response.json()


def _state() -> tuple:
    from audit.models import ChangeLog, DomainEvent
    from registry.models import Asset, Disability, Household, HouseholdMember, Income, Person

    tables = (Person, Household, HouseholdMember, Income, Asset, Disability, ChangeLog, DomainEvent)
    return tuple(model.objects.count() for model in tables) + tuple(
        Person.objects.order_by("pk").values_list("phone", flat=True)) + tuple(
        Household.objects.order_by("pk").values_list("address", flat=True))


WRITES = [("person", "add"), ("household", "add"), ("income", "add"), ("asset", "add"), ("disability", "add"),
          ("person", "change"), ("household", "change")]
REFUSED_WRITES = [(persona, model, action) for persona in PERSONAS for model, action in WRITES
                  if expected_status(persona, model, action) in (403, 404)]


@pytest.mark.parametrize("persona, model, action", REFUSED_WRITES, ids=["-".join(c) for c in REFUSED_WRITES])
def test_refused_write_changes_nothing(client_for, records, personas, areas, persona, model, action):
    """A 403 or 404 on a write leaves every table as it was, audit trail included."""
    client = client_for(persona)
    newcomer = _newcomer(persona, personas, areas) if model == "household" else None
    before = _state()
    if action == "add":
        response = _add(client, persona, model, records, personas, areas, newcomer=newcomer)
    else:
        response = _change(client, model, records)
    assert response.status_code in (403, 404)
    assert _state() == before


def test_out_of_scope_detail_is_indistinguishable_from_missing(client_for, records):
    client = client_for("outsider")
    hidden = client.get(f"/api/persons/{records['a1'].pk}/")
    missing = client.get("/api/persons/999999/")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


def test_income_start_month_of_matrix_add(client_for, records):
    """The matrix's income add really stored the month it was given (a 201 that wrote the wrong thing fails)."""
    from registry.models import Income

    response = _add(client_for("town_officer"), "town_officer", "income", records, {}, {})
    assert Income.objects.get(pk=response.json()["id"]).start_month == date(2026, 3, 1)
