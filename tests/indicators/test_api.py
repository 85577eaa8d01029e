"""The indicators API: the catalogue, one month, a series, scope, and clear 400s."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def client(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_catalogue(personas):
    body = client(personas["leader"]).get("/api/indicators/").json()
    by_code = {row["code"]: row for row in body}
    assert set(body[0]) == {"code", "name", "unit", "direction", "target", "source", "status",
                            "breakdowns"}
    assert by_code["dibao_rural_urban_ratio"]["target"] == "不低于85%（2025年）"
    assert by_code["care_home_quality_rate"]["status"] == "not_collected"


def test_one_month_and_series(personas, areas):
    c = client(personas["leader"])
    body = c.get("/api/indicators/dibao_rural_urban_ratio/values/",
                 {"area": areas["district"], "period": "2026-01"}).json()
    assert body["status"] == "computed" and body["computed_at"]
    assert Decimal(body["value"]) == (Decimal(630) / 770 * 100).quantize(Decimal("0.0001"))
    assert (Decimal(body["numerator"]), Decimal(body["denominator"])) == (630, 770)
    series = c.get("/api/indicators/dibao_rural_urban_ratio/values/",
                   {"area": areas["district"], "from": "2025-11", "to": "2026-01"}).json()
    assert [row["period"] for row in series] == ["2025-11", "2025-12", "2026-01"]
    assert Decimal(series[0]["value"]) == (Decimal(610) / 750 * 100).quantize(Decimal("0.0001"))


def test_not_collected(personas, areas):
    body = client(personas["leader"]).get("/api/indicators/care_home_quality_rate/values/",
                                          {"area": areas["district"], "period": "2026-01"}).json()
    assert body["status"] == "not_collected" and body["value"] is None


def test_scope_and_errors(personas, areas, town_leader):
    c = client(town_leader)
    url = "/api/indicators/payroll_amount/values/"
    assert c.get(url, {"area": areas["town_a"], "period": "2026-01"}).status_code == 200
    assert c.get(url, {"area": areas["town_b"], "period": "2026-01"}).status_code == 403
    assert c.get(url, {"area": areas["district"], "period": "2026-01"}).status_code == 403
    assert c.get(url, {"area": areas["town_a"], "period": "2026-01", "by": "program"}).status_code == 200
    assert c.get(url, {"area": areas["town_b"], "period": "2026-01", "by": "program"}).status_code == 403
    bad = c.get(url, {"area": areas["town_a"], "period": "2026/01"})
    assert bad.status_code == 400 and "period" in str(bad.json())
    assert c.get(url, {"area": "12", "period": "2026-01"}).status_code == 400
    assert client(personas["town_officer"]).get("/api/indicators/").status_code == 403
    assert client(personas["leader"]).get("/api/indicators/nope/values/").status_code == 404
