"""Login hardening on the pages: every page needs a login, lockout after repeated failures, idle timeout."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _page_urls(data) -> list[str]:
    person, household = data["a1"].pk, data["household_a"].pk
    return [
        reverse("home"),
        reverse("person-list"), reverse("person-create"), reverse("person-autocomplete"),
        reverse("person-detail", args=[person]), reverse("person-reveal-id", args=[person]),
        reverse("person-edit", args=[person]), reverse("person-record-death", args=[person]),
        reverse("person-disability-add", args=[person]),
        reverse("household-list"), reverse("household-create"), reverse("household-detail", args=[household]),
        reverse("household-edit", args=[household]), reverse("household-member-add", args=[household]),
        reverse("household-member-remove", args=[household]), reverse("household-income-add", args=[household]),
        reverse("household-asset-add", args=[household]),
    ]


def test_every_page_sends_an_anonymous_visitor_to_login(client, registry_data):
    for url in _page_urls(registry_data):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login") + "?next="), url


def test_login_page_is_chinese_and_logs_in(client, personas):
    page = client.get(reverse("login"))
    assert "用户名" in page.content.decode() and "密码" in page.content.decode()
    response = client.post(reverse("login"), {"username": "cw", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(personas["community_worker"].pk)


def test_logout_is_a_post(client, personas):
    client.force_login(personas["community_worker"])
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_four_failures_then_the_right_password_still_logs_in(client, personas):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(reverse("login"), {"username": "cw", "password": "wrong-password"}).status_code == 200
    response = client.post(reverse("login"), {"username": "cw", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas["community_worker"].pk)


def test_lockout_after_five_failures_refuses_the_right_password(client, personas):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        client.post(reverse("login"), {"username": "cw", "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": "cw", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多，账号已临时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock is per account: a colleague in the same office still logs in.
    other = client.post(reverse("login"), {"username": "to", "password": PASSWORD})
    assert other.status_code == 302


def test_session_idle_timeout_is_configured():
    assert 0 < settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_each_request_pushes_the_idle_deadline_back(client, personas):
    client.force_login(personas["community_worker"])
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(seconds=60))
    assert client.get(reverse("home")).status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_an_expired_session_goes_back_to_login(client, personas):
    client.force_login(personas["community_worker"])
    assert client.get(reverse("home")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("person-list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
