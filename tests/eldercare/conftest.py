"""Fixtures for 养老服务: older people in town A and B, a token client per persona."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from registry.services import person_create
from tests.conftest import make_id

# The payroll fixtures (a roll builder, the officers, in-process generation) are the payments tests' own.
from tests.payments.conftest import approver, generate, officer, roll  # noqa: F401


@pytest.fixture
def elders(personas, areas):
    by = personas["district_officer"]

    def make(name, area, birth, seq):
        return person_create(acting_user=by, name=name, area_code=area,
                             id_number=make_id("500106", birth.strftime("%Y%m%d"), seq), birth_date=birth)

    return {"old_a": make("钱老", areas["community_a"], date(1940, 3, 5), 11),
            "old_a2": make("孙老", areas["community_a"], date(1950, 7, 9), 12),
            "young_a": make("周青", areas["community_a"], date(1990, 1, 1), 13),
            "old_b": make("吴老", areas["community_b"], date(1942, 2, 2), 14)}


@pytest.fixture
def client_for(personas):
    def build(persona: str) -> APIClient:
        from accounts.tokens import api_token_issue

        _token, key = api_token_issue(user=personas[persona])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return build


def full_scores(items, total: int) -> dict[str, int]:
    """Scores for every item summing to `total` (taken off the items in order, from their maxima)."""
    scores = {i.code: i.max_score for i in items}
    drop = sum(scores.values()) - total
    for code in scores:
        take = min(scores[code], drop)
        scores[code] -= take
        drop -= take
    return scores
