"""No bad input is a 500: each malformed request gets a JSON 4xx with a Chinese message naming what is wrong."""

import pytest

from tests.api.conftest import has_chinese

pytestmark = pytest.mark.django_db

BIG = "99999999999999999999"  # past bigint
BIGINT_18 = "999999999999999999"  # fits the route and bigint, matches nothing


def person_body(**extra) -> dict:
    return {"id_number": "500106198001010011", "name": "测试", "area": "500106001001", **extra}


# (method, path template, body or query, expected status, the field that must be named or None)
CASES = [
    ("post", "/api/persons/", "{not json", 400, None),
    ("post", "/api/persons/", [1, 2], 400, "non_field_errors"),
    ("post", "/api/persons/", "null", 400, None),
    ("post", "/api/persons/", {}, 400, "name"),
    ("post", "/api/persons/", {"name": ["x"], "area": {"a": 1}}, 400, "name"),
    ("post", "/api/persons/", person_body(favourite_colour="red"), 400, "favourite_colour"),
    ("post", "/api/persons/", person_body(id_number="12345"), 400, "id_number"),
    ("post", "/api/persons/", person_body(id_number="5001061980010100X1"), 400, "id_number"),
    ("post", "/api/persons/", person_body(id_number="500106298001010011"), 400, "id_number"),
    ("post", "/api/persons/", person_body(id_number="x" * 40), 400, "id_number"),
    ("post", "/api/persons/", person_body(area="not-a-code"), 400, "area"),
    ("post", "/api/persons/", person_body(name="名" * 51), 400, "name"),
    ("post", "/api/persons/", person_body(birth_date="1980/01/01"), 400, "birth_date"),
    ("post", "/api/persons/", person_body(no_id_reason="lost"), 400, "no_id_reason"),
    ("get", "/api/persons/abc/", None, 404, None),
    ("get", f"/api/persons/{BIG}/", None, 404, None),
    ("get", f"/api/persons/{BIGINT_18}/", None, 404, None),
    ("patch", f"/api/persons/{BIGINT_18}/", {"name": "x"}, 404, None),
    ("get", "/api/persons/", {"status": "alive"}, 400, "status"),
    ("get", "/api/persons/", {"area": "abc"}, 400, "area"),
    ("get", "/api/persons/", {"after": "abc"}, 400, "after"),
    ("get", "/api/persons/", {"after": BIG}, 400, "after"),
    ("get", "/api/persons/", {"page_size": "-1"}, 400, "page_size"),
    ("get", "/api/persons/", {"search": "x" * 51}, 400, "search"),
    ("patch", "/api/persons/{a1}/", {}, 400, "non_field_errors"),
    ("patch", "/api/persons/{a1}/", {"name": ""}, 400, "name"),
    ("patch", "/api/persons/{a1}/", {"status": "deceased"}, 400, "status"),
    ("patch", "/api/persons/{a1}/", "[]", 400, "non_field_errors"),
    ("post", "/api/persons/{a1}/death/", {"death_date": "yesterday"}, 400, "death_date"),
    ("post", "/api/persons/{a1}/death/", {}, 400, "death_date"),
    ("post", "/api/persons/{a1}/disabilities/", {"category": "physical", "grade": 7}, 400, "grade"),
    ("post", "/api/persons/{a1}/disabilities/", {"category": "sad", "grade": 1}, 400, "category"),
    ("post", "/api/persons/{a1}/disabilities/", {"category": "physical", "grade": True}, 400, "grade"),
    ("post", "/api/households/", {"area": "500106001001", "hukou_type": "urban", "members": "x"}, 400, "members"),
    ("post", "/api/households/", {"area": "500106001001", "hukou_type": "urban", "members": []}, 400, "members"),
    ("post", "/api/households/", {"area": "500106001001", "hukou_type": "city",
                                  "members": [{"person": 1, "relation": "head"}]}, 400, "hukou_type"),
    ("post", "/api/households/", {"area": "500106001001", "hukou_type": "urban",
                                  "members": [{"person": "abc", "relation": "head"}]}, 400, "members"),
    ("post", "/api/households/", {"area": "500106001001", "hukou_type": "urban",
                                  "members": [{"person": BIG, "relation": "head"}]}, 400, "members"),
    ("post", "/api/households/", {"area": "500106001001", "hukou_type": "urban",
                                  "members": [{"person": 424242, "relation": "head"}]}, 400, "members"),
    ("post", "/api/households/", {"area": "500106001001", "hukou_type": "urban",
                                  "members": [{"person": 1, "relation": "cousin"}]}, 400, "members"),
    ("post", "/api/households/", {"area": "500106001001", "hukou_type": "urban",
                                  "members": [{"person": 1, "relation": "head", "x": 1}]}, 400, "members"),
    ("post", "/api/households/{ha}/incomes/", {"person": "{a1}", "category": "wage", "monthly_amount": "1e400",
                                               "start_month": "2026-01"}, 400, "monthly_amount"),
    ("post", "/api/households/{ha}/incomes/", {"person": "{a1}", "category": "wage", "monthly_amount": "NaN",
                                               "start_month": "2026-01"}, 400, "monthly_amount"),
    ("post", "/api/households/{ha}/incomes/", {"person": "{a1}", "category": "wage",
                                               "monthly_amount": "10000000000.00", "start_month": "2026-01"},
     400, "monthly_amount"),
    ("post", "/api/households/{ha}/incomes/", {"person": "{b1}", "category": "wage", "monthly_amount": "1",
                                               "start_month": "2026-01"}, 400, "person"),
    ("post", "/api/households/{ha}/incomes/", {"person": 0, "category": "wage", "monthly_amount": "1",
                                               "start_month": "2026-01"}, 400, "person"),
    ("post", "/api/households/{ha}/incomes/", {"category": "wage"}, 400, "person"),
    ("post", "/api/households/{ha}/assets/", {"kind": "gold", "value": "1"}, 400, "kind"),
    ("post", "/api/households/{ha}/assets/", {"kind": "house", "value": "1", "person": 424242}, 400, "person"),
    ("post", "/api/households/{ha}/assets/", {"kind": "house", "value": "1", "exempt": "maybe"}, 400, "exempt"),
    ("get", "/api/incomes/", {"household": "abc"}, 400, "household"),
    ("get", "/api/incomes/", {"household": BIG}, 400, "household"),
    ("get", "/api/assets/", {"kind": "gold"}, 400, "kind"),
    ("get", "/api/disabilities/", {"is_current": "perhaps"}, 400, "is_current"),
    ("get", "/api/areas/", {"level": "planet"}, 400, "level"),
    ("get", "/api/areas/abc/", None, 404, None),
    ("get", "/api/no-such-endpoint/", None, 404, None),
    ("delete", "/api/households/{ha}/", None, 405, None),
    ("put", "/api/households/{ha}/", {"address": "x"}, 405, None),
    ("post", "/api/auth/token/", {"username": ["to"], "password": 1}, 400, "username"),
    ("get", "/api/calendar/add-working-days/", {"start": "2025-02-30", "days": "x"}, 400, "start"),
]


def _fill(value, ids: dict):
    """Put the fixture ids into a path, a body or a query ("{a1}" → the id; whole values keep their type)."""
    if isinstance(value, str):
        return ids[value[1:-1]] if value in {f"{{{k}}}" for k in ids} else value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


@pytest.mark.parametrize("method, path, payload, expected, field", CASES,
                         ids=[f"{c[0]} {c[1]} {str(c[2])[:40]}" for c in CASES])
def test_malformed_input_is_a_json_4xx(client_for, registry_data, method, path, payload, expected, field):
    ids = {"a1": registry_data["a1"].pk, "b1": registry_data["b1"].pk, "ha": registry_data["household_a"].pk}
    client = client_for("district_officer")
    url = path.format(**ids)
    if method == "get":
        response = client.get(url, _fill(payload, ids) or {})
    elif isinstance(payload, str) and not payload.startswith("{a"):
        # raw text sent as JSON: broken JSON, a bare null, …
        response = getattr(client, method)(url, payload, content_type="application/json")
    else:
        response = getattr(client, method)(url, _fill(payload, ids), format="json")

    assert response.status_code == expected, response.content
    assert response["Content-Type"].startswith("application/json")
    assert has_chinese(response), response.content
    if field:
        assert field in response.json(), response.json()


def test_form_encoded_body_is_415(client_for, areas):
    response = client_for("district_officer").post("/api/persons/", {"name": "表单", "area": areas["community_a"]})
    assert response.status_code == 415
    assert has_chinese(response)
