"""API fixtures: token-authenticated clients per persona, and one record of every kind in town A and town B."""

import re
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

CJK = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(response) -> bool:
    return bool(CJK.search(response.content.decode()))


@pytest.fixture
def client_for(personas):
    """`client_for("leader")` → an APIClient that sends `Authorization: Token <key>` for that persona."""

    def build(persona: str) -> APIClient:
        from accounts.tokens import api_token_issue

        _token, key = api_token_issue(user=personas[persona])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return build


@pytest.fixture
def records(registry_data, personas):
    """An income, an asset and a disability in household A (town A) and in household B (town B)."""
    from datetime import date

    from registry.services import asset_add, disability_record, income_add

    officer = personas["district_officer"]
    made = dict(registry_data)
    for side, household, person in (("a", registry_data["household_a"], registry_data["a1"]),
                                    ("b", registry_data["household_b"], registry_data["b1"])):
        made[f"income_{side}"] = income_add(acting_user=officer, household=household, person=person,
                                            category="wage", monthly_amount=Decimal("1200.00"),
                                            start_month=date(2026, 1, 1))
        made[f"asset_{side}"] = asset_add(acting_user=officer, household=household, kind="deposit",
                                          value=Decimal("5000.50"), person=person)
        made[f"disability_{side}"] = disability_record(acting_user=officer, person=person, category="physical",
                                                       grade=2)
    return made
