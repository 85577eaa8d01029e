"""POST /api/auth/token/: a token for a good password, a Chinese 400 for a bad one, axes lockout as JSON."""

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
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
    assert ApiToken.objects.get(prefix=key[:8]).user == personas["town_officer"]
    assert key not in str(list(ApiToken.objects.values_list("digest", "prefix")))  # only its digest is kept
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    areas = client.get("/api/areas/", {"level": "town"})
    assert areas.status_code == 200
    assert [row["code"] for row in areas.json()["results"]] == ["500106001000"]


def test_each_sign_in_is_its_own_token(personas):
    first = APIClient().post(TOKEN_URL, {"username": "cw", "password": PASSWORD}, format="json").json()["token"]
    second = APIClient().post(TOKEN_URL, {"username": "cw", "password": PASSWORD}, format="json").json()["token"]
    assert first != second and ApiToken.objects.filter(user=personas["community_worker"]).count() == 2


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
    assert not ApiToken.objects.exists()


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
    assert not ApiToken.objects.exists()


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


def _signed_in(username: str = "to", client_name: str = "") -> tuple[APIClient, str]:
    key = APIClient().post(TOKEN_URL, {"username": username, "password": PASSWORD, "client": client_name},
                           format="json").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, key


def test_token_expires_when_idle_and_at_its_absolute_limit(personas, settings):
    from datetime import timedelta

    from django.utils import timezone

    client, key = _signed_in()
    assert client.get("/api/areas/").status_code == 200
    token = ApiToken.objects.get(prefix=key[:8])
    idle = timezone.now() - timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS + 1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=idle)
    expired = client.get("/api/areas/")
    assert expired.status_code == 401 and "过期" in expired.json()["detail"]
    client, key = _signed_in()
    ApiToken.objects.filter(prefix=key[:8]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/areas/").status_code == 401


def test_password_change_and_logout_end_tokens(personas):
    client, _ = _signed_in()
    other, _ = _signed_in()
    assert other.post("/api/auth/logout/").status_code == 204
    assert other.get("/api/areas/").status_code == 401  # the logged-out token
    assert client.get("/api/areas/").status_code == 200  # the other sign-in is untouched
    user = personas["town_officer"]
    user.set_password("Another-Password-2026!")
    user.save()
    assert client.get("/api/areas/").status_code == 401


def test_users_list_and_revoke_their_own_tokens(personas):
    client, key = _signed_in(client_name="区大数据局对接")
    second, second_key = _signed_in()
    mine = client.get("/api/auth/tokens/").json()
    assert [(t["prefix"], t["current"]) for t in mine] == [(second_key[:8], False), (key[:8], True)]
    assert mine[1]["name"] == "区大数据局对接" and key not in str(mine)
    outsider, _ = _signed_in("tr")
    assert outsider.post(f"/api/auth/tokens/{mine[0]['id']}/revoke/").status_code == 404  # not theirs
    assert client.post(f"/api/auth/tokens/{mine[0]['id']}/revoke/").status_code == 204
    assert second.get("/api/areas/").status_code == 401


def test_api_rate_limit_per_user(personas, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "60/min"})
    client, _ = _signed_in()
    answers = [client.get("/api/areas/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert has_chinese(client.get("/api/areas/"))  # the refusal is explained in Chinese


def test_lockout_is_per_address_and_the_account_locks_only_after_more(personas, settings):
    settings.ACCOUNT_LOCKOUT_LIMIT = 8
    wrong = {"username": "to", "password": "wrong-pass"}
    right = {"username": "to", "password": PASSWORD}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        APIClient().post(TOKEN_URL, wrong, format="json", REMOTE_ADDR="10.0.0.1")
    assert APIClient().post(TOKEN_URL, right, format="json", REMOTE_ADDR="10.0.0.1").status_code == 429
    # someone typing the officer's username wrongly elsewhere does not lock the officer out at their desk
    assert APIClient().post(TOKEN_URL, right, format="json", REMOTE_ADDR="10.0.0.2").status_code == 200
    for _ in range(3):
        APIClient().post(TOKEN_URL, wrong, format="json", REMOTE_ADDR="10.0.0.3")
    # 5 + 3 failures from all addresses reach the account limit: now even a new address is refused
    locked = APIClient().post(TOKEN_URL, right, format="json", REMOTE_ADDR="10.0.0.4")
    assert locked.status_code == 429 and has_chinese(locked)
