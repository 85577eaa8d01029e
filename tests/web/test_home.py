"""Home page and layout: counts from the user's own area, navigation by capability, Chinese labels."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_is_a_desk_not_registry_counts(login, personas, lookalikes):
    """No count over the whole registry (slow at district scale, and nobody's work): the desk shows work."""
    worker = login(personas["community_worker"]).get(reverse("home")).content.decode()
    assert 'data-testid="count-persons"' not in worker
    assert 'data-testid="desk-my-applications"' in worker and "暂无办理中的申请" in worker
    assert reverse("assistance-search") in worker


def test_layout_shows_user_area_roles_and_capability_nav(login, personas, registry_data):
    html = login(personas["town_reviewer"]).get(reverse("home")).content.decode()
    assert "民政 · 智慧民政信息平台" in html
    assert "小龙坎街道" in html and "镇街审核人" in html
    assert reverse("person-list") in html and "居民信息库" in html and "家庭" in html
    assert "数据导入" not in html, "a role without the import grant does not see the import item"
    assert "登记人员" not in html, "a read-only role is not offered the registration link"
    assert 'action="/logout/"' in html and "退出" in html


def test_nav_marks_the_current_section(login, personas):
    html = login(personas["community_worker"]).get(reverse("person-list")).content.decode()
    assert f'class="nav-link active" href="{reverse("person-list")}"' in html


def test_import_item_shown_to_a_role_with_the_import_grant(login, personas):
    html = login(personas["district_officer"]).get(reverse("home")).content.decode()
    assert "数据导入" in html and f'href="{reverse("import-list")}"' in html
