"""POST /api/auth/token/: a token for a good password, a Chinese 400 for a bad one, axes lockout as JSON."""

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.conftest import has_chinese
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"


def test_route_has_the_published_path():
    assert reverse("api-token") == TOKEN_URL


def test_good_password_gives_a_token_that_authenticates(personas):
    # given the town officer's username and password
    response = APIClient().post(TOKEN_URL, {"username": "to", "password": PASSWORD}, format="json")

    # then a token comes back, it is the user's token, and it opens the API
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(key=key).user == personas["town_officer"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    areas = client.get("/api/areas/", {"level": "town"})
    assert areas.status_code == 200
    assert [row["code"] for row in areas.json()["results"]] == ["500106001000"]


def test_same_token_on_second_sign_in(personas):
    first = APIClient().post(TOKEN_URL, {"username": "cw", "password": PASSWORD}, format="json").json()["token"]
    second = APIClient().post(TOKEN_URL, {"username": "cw", "password": PASSWORD}, format="json").json()["token"]
    assert first == second


def test_sign_in_updates_last_login(personas):
    assert personas["leader"].last_login is None
    APIClient().post(TOKEN_URL, {"username": "ld", "password": PASSWORD}, format="json")
    personas["leader"].refresh_from_db()
    assert personas["leader"].last_login is not None


@pytest.mark.parametrize("username, password", [("to", "wrong-password-1"), ("nobody", PASSWORD)])
def test_bad_credentials_are_a_chinese_400(personas, username, password):
    response = APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["用户名或密码不正确"]}
    assert not Token.objects.exists()


def test_inactive_user_gets_no_token(personas):
    personas["town_officer"].is_active = False
    personas["town_officer"].save()
    response = APIClient().post(TOKEN_URL, {"username": "to", "password": PASSWORD}, format="json")
    assert response.status_code == 400


def test_missing_fields_are_named():
    response = APIClient().post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}
    assert has_chinese(response)


def test_lockout_after_repeated_failures_even_with_the_right_password(personas):
    # given as many wrong passwords as the limit allows
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(TOKEN_URL, {"username": "to", "password": "wrong-pass"}, format="json").status_code == 400
    last_failure = client.post(TOKEN_URL, {"username": "to", "password": "wrong-pass"}, format="json")
    assert last_failure.status_code == 429

    # when the right password comes next, the account is still locked, and the answer is JSON in Chinese
    response = client.post(TOKEN_URL, {"username": "to", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    assert response.json()["detail"] == f"登录失败次数过多，账号已被锁定，请 {minutes} 分钟后再试"
    assert not Token.objects.exists()


def test_lockout_is_per_account(personas):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(TOKEN_URL, {"username": "to", "password": "wrong-pass"}, format="json")
    # another account from the same address still signs in (a town office shares one NAT address)
    response = client.post(TOKEN_URL, {"username": "tr", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_no_credentials_is_401_with_challenge(registry_data):
    response = APIClient().get("/api/persons/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert has_chinese(response)


def test_unknown_token_is_401(registry_data):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = client.get("/api/persons/")
    assert response.status_code == 401
    assert response.json()["detail"] == "认证令牌无效。"
