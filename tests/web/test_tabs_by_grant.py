"""A tab a role may not open is not shown to it: the monitoring tabs follow the user's grants."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.policy import allowed

pytestmark = [pytest.mark.django_db]

TABS = {"monitoring-feeds": ("feed", "view"), "monitoring-reviews": ("feed", "review"),
        "monitoring-rules": ("rule", "view")}


@pytest.mark.parametrize("persona", ["community_worker", "town_officer", "district_officer", "town_reviewer"])
def test_monitoring_tabs_follow_the_grants(personas, persona):
    user = personas[persona]
    assert allowed(user, "warning", "view")  # each of these personas works warnings
    client = Client()
    client.force_login(user)
    html = client.get(reverse("monitoring-warnings")).content.decode()
    tabs = html[html.index('class="nav nav-tabs'):].split("</ul>")[0]
    for name, (resource, action) in TABS.items():
        shown = f'href="{reverse(name)}"' in tabs
        assert shown == allowed(user, resource, action), (persona, name)
        if shown:  # what is shown opens
            assert client.get(reverse(name)).status_code == 200


def test_some_persona_is_spared_a_tab(personas):
    """The test above could pass with every tab shown to everyone; the grants make at least one difference."""
    assert any(not allowed(personas[p], r, a) and allowed(personas[p], "warning", "view")
               for p in ("community_worker", "town_officer", "district_officer", "leader") for r, a in TABS.values())
