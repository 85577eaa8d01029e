"""Page permission matrix: persona × {person, household} × {list, detail, add, change}.

The expected cell is derived from the grant table (accounts.roles.DEFAULT_GRANTS) and from whether the target
record lies in the persona's area; the key cells are also written out by hand below, so a wrong derivation or a
changed grant table cannot silently pass.
"""

import pytest
from django.urls import reverse

from accounts.roles import DEFAULT_GRANTS
from registry.models import Household, Person
from registry.services import person_create
from tests.conftest import make_id

pytestmark = pytest.mark.django_db

PERSONAS = ["community_worker", "town_officer", "town_reviewer", "district_officer", "district_approver", "leader",
            "admin", "outsider"]
RESOURCES = ["person", "household"]
OPERATIONS = ["list", "detail", "add", "change"]
ACTION_OF = {"list": "view", "detail": "view", "add": "add", "change": "change"}

OK, FORBIDDEN, NOT_FOUND = "ok", 403, 404

# Hand-written cells: these must hold whatever the derivation says.
KEY_CELLS = {
    ("community_worker", "person", "add"): OK,
    ("community_worker", "household", "change"): OK,
    ("leader", "person", "add"): FORBIDDEN,
    ("leader", "person", "change"): FORBIDDEN,
    ("leader", "household", "add"): FORBIDDEN,
    ("leader", "person", "detail"): OK,
    ("town_reviewer", "person", "change"): FORBIDDEN,
    ("town_reviewer", "household", "add"): FORBIDDEN,
    ("town_officer", "household", "add"): OK,
    ("outsider", "person", "detail"): NOT_FOUND,
    ("outsider", "person", "change"): NOT_FOUND,
    ("outsider", "household", "detail"): NOT_FOUND,
    ("outsider", "household", "change"): NOT_FOUND,
    ("outsider", "person", "list"): OK,
}


def _grants(user) -> set[tuple[str, str]]:
    role = user.roles.get().code
    return {(resource, action) for resource, actions in DEFAULT_GRANTS[role].items() for action in actions}


def expected(user, resource: str, operation: str, target_area: str) -> object:
    in_scope = target_area.startswith(user.area.scope_prefix)
    if (resource, ACTION_OF[operation]) not in _grants(user):
        return NOT_FOUND if operation == "detail" else FORBIDDEN
    if operation in ("detail", "change") and not in_scope:
        return NOT_FOUND
    return OK


def _own_community(user, areas) -> str:
    """Where this persona may put a new record: community A, or community B for the town-B outsider."""
    return areas["community_b"] if user.area.scope_prefix.startswith(areas["town_b"][:9]) else areas["community_a"]


def _request(client, user, resource, operation, data, areas):
    """Perform the operation; returns (response, did_it_write)."""
    if resource == "person":
        target = data["a1"]
        if operation == "list":
            return client.get(reverse("person-list")), None
        if operation == "detail":
            return client.get(reverse("person-detail", args=[target.pk])), None
        if operation == "add":
            before = Person.objects.count()
            response = client.post(reverse("person-create"), {
                "name": "矩阵", "id_number": make_id("500106", "19910101", 40), "no_id_reason": "",
                "other_document": "", "area": _own_community(user, areas), "phone": ""})
            return response, Person.objects.count() > before
        response = client.post(reverse("person-edit", args=[target.pk]),
                               {"name": target.name, "phone": "13512345678", "area": target.area_id})
        return response, Person.objects.get(pk=target.pk).phone == "13512345678"
    target = data["household_a"]
    if operation == "list":
        return client.get(reverse("household-list")), None
    if operation == "detail":
        return client.get(reverse("household-detail", args=[target.pk])), None
    if operation == "add":
        head = person_create(acting_user=data["admin"], name="矩阵户主", area_code=_own_community(user, areas),
                             id_number=make_id("500106", "19920202", 41))
        before = Household.objects.count()
        response = client.post(reverse("household-create"), {
            "area": _own_community(user, areas), "hukou_type": "urban", "address": "矩阵",
            "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "1000", "members-0-person": str(head.pk), "members-0-relation": "head"})
        return response, Household.objects.count() > before
    response = client.post(reverse("household-edit", args=[target.pk]), {"hukou_type": "urban", "address": "矩阵改"})
    return response, Household.objects.get(pk=target.pk).address == "矩阵改"


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_page_permission_matrix(client, personas, registry_data, areas, persona, resource, operation):
    user = personas[persona]
    target_area = registry_data["a1" if resource == "person" else "household_a"].area_id
    want = expected(user, resource, operation, target_area)
    if (persona, resource, operation) in KEY_CELLS:
        assert want == KEY_CELLS[(persona, resource, operation)], "the grant table disagrees with a key cell"
    client.force_login(user)
    response, wrote = _request(client, user, resource, operation, {**registry_data, "admin": personas["admin"]},
                               areas)
    if want == OK:
        assert response.status_code == (200 if operation in ("list", "detail") else 302)
        assert wrote in (None, True)
    else:
        assert response.status_code == want
        assert wrote in (None, False), "a refused write saved nothing"


def test_key_cells_cover_both_refusals_and_grants():
    assert {OK, FORBIDDEN, NOT_FOUND} <= set(KEY_CELLS.values())
