"""Page fixtures: a logged-in client per persona and look-alike people in other areas to prove scoping."""

import pytest

from registry.services import person_create
from tests.conftest import make_id


@pytest.fixture
def login(client):
    """`login(user)` → the test client signed in as that user (force_login: axes wants a request to authenticate)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def lookalikes(registry_data, personas, areas):
    """张山 in town B (initials zs like 张三 in town A) and 赵六 in community A2 (town A, not community A)."""
    officer = personas["district_officer"]
    zhang_b = person_create(acting_user=officer, name="张山", area_code=areas["community_b"],
                            id_number=make_id("500106", "19750505", 5))
    zhao_a2 = person_create(acting_user=officer, name="赵六", area_code=areas["community_a2"],
                            id_number=make_id("500106", "19650606", 6))
    return {"zhang_b": zhang_b, "zhao_a2": zhao_a2}


def htmx(client, url, data=None):
    """A GET as htmx sends it."""
    return client.get(url, data or {}, HTTP_HX_REQUEST="true")
