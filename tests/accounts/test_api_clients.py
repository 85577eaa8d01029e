"""接口客户端: a district administrator registers another department's system (the secret shown once, only its
hash kept); the client exchanges id + secret for a token that lasts API_CLIENT_TOKEN_SECONDS, may only do what its
role grants (push and read department feed batches), has every use logged, and is revoked from the page."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.clients import api_client_register
from accounts.models import ApiClient, ApiToken
from audit.models import AccessLog
from tests.monitoring.conftest import feed_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(personas):
    return api_client_register(acting_user=personas["admin"], name="区车管所数据对接")


def _token(client_id: str, secret: str, expect: int = 200) -> dict:
    response = APIClient().post("/api/auth/client-token/", {"client_id": client_id, "client_secret": secret},
                                format="json")
    assert response.status_code == expect, response.content.decode()
    return response.json()


def _as(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_only_the_secrets_hash_is_kept_and_the_account_cannot_sign_in_with_a_password(registered, client):
    record, secret = registered
    assert record.secret_digest == hashlib.sha256(secret.encode()).hexdigest() and secret not in str(
        ApiClient.objects.filter(pk=record.pk).values().get())
    assert record.user.is_api_client and not record.user.has_usable_password()
    assert [r.code for r in record.user.roles.all()] == ["api_client_feeds"]
    response = APIClient().post("/api/auth/token/", {"username": record.client_id, "password": secret},
                                format="json")
    assert response.status_code == 400


def test_a_client_token_lasts_the_configured_lifetime_and_wrong_secrets_get_none(registered, settings):
    settings.API_CLIENT_TOKEN_SECONDS = 1800
    record, secret = registered
    before = timezone.now()
    answer = _token(record.client_id, secret)
    token = ApiToken.objects.get(client=record)
    assert before + timedelta(seconds=1800) <= token.expires_at <= timezone.now() + timedelta(seconds=1800)
    assert answer["token"] and token.digest == hashlib.sha256(answer["token"].encode()).hexdigest()
    wrong = _token(record.client_id, secret + "x", expect=400)
    assert "客户端编号或密钥不正确" in wrong["client_secret"][0]
    _token("mzc_nosuchclient", secret, expect=400)
    assert ApiToken.objects.filter(client=record).count() == 1


def test_an_expired_client_token_is_refused(registered, settings):
    record, secret = registered
    key = _token(record.client_id, secret)["token"]
    ApiToken.objects.filter(client=record).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _as(key).get("/api/feed-batches/").status_code == 401


def test_the_client_pushes_and_reads_feeds_but_nothing_else_and_every_use_is_logged(registered, registry_data,
                                                                                  django_capture_on_commit_callbacks):
    record, secret = registered
    api = _as(_token(record.client_id, secret)["token"])
    content = feed_csv("vehicle", [{"id_number": registry_data["a1"].id_number, "name": registry_data["a1"].name,
                                    "event_date": "2025-12-01", "plate": "渝A12345", "value": "80000"}])

    with django_capture_on_commit_callbacks(execute=True):
        pushed = api.post("/api/feeds/vehicle/batches/", {"file": SimpleUploadedFile("veh.csv", content),
                                                          "period": "2026-01"}, format="multipart")
    assert pushed.status_code in (201, 202), pushed.content.decode()
    assert api.get("/api/feed-batches/").status_code == 200
    for path in ("/api/persons/", "/api/applications/"):  # no registry or application grant: nothing comes back
        response = api.get(path)
        assert response.status_code == 403 or response.json()["results"] == [], response.content.decode()
    uses = AccessLog.objects.filter(user=record.user, kind=AccessLog.Kind.API_CLIENT).order_by("id")
    actions = [(u.detail["action"], u.detail.get("path")) for u in uses]
    assert actions == [("签发令牌", None), ("调用接口", "/api/feeds/vehicle/batches/"),
                       ("调用接口", "/api/feed-batches/"), ("调用接口", "/api/persons/"),
                       ("调用接口", "/api/applications/")]
    assert all(u.detail["client"] == record.client_id for u in uses)


def test_the_admin_page_registers_lists_and_revokes(personas, client):
    client.force_login(personas["admin"])
    created = client.post("/clients/", {"name": "区水务公司抄表系统", "role": "api_client_feeds"})
    assert created.status_code == 200
    record = ApiClient.objects.get(name="区水务公司抄表系统")
    page = created.content.decode()
    assert record.client_id in page and "密钥只显示这一次" in page
    secret = page.split("客户端密钥：<code>")[1].split("</code>")[0]
    key = _token(record.client_id, secret)["token"]
    listing = client.get("/clients/").content.decode()
    assert "区水务公司抄表系统" in listing and secret not in listing and key[:8] in listing
    assert "接口客户端（部门数据报送）" in listing
    blank = client.post("/clients/", {"name": " ", "role": "api_client_feeds"})
    assert blank.status_code == 400 and "对接系统名称：请填写对接系统名称" in blank.content.decode()
    # revoking the client ends its live token at once, and it gets no new one
    assert client.post(f"/clients/{record.pk}/revoke/").status_code == 302
    assert _as(key).get("/api/feed-batches/").status_code == 401
    _token(record.client_id, secret, expect=400)


def test_the_admin_revokes_one_token_from_the_page(personas, client, registered):
    record, secret = registered
    key = _token(record.client_id, secret)["token"]
    client.force_login(personas["admin"])
    token = ApiToken.objects.get(client=record)
    assert client.post(f"/clients/{record.pk}/tokens/{token.pk}/revoke/").status_code == 302
    assert _as(key).get("/api/feed-batches/").status_code == 401
    assert _token(record.client_id, secret)["token"]  # the client itself stays in service


@pytest.mark.parametrize("persona", ["district_officer", "town_officer", "leader"])
def test_only_the_administrator_manages_clients(personas, client, persona, registered):
    client.force_login(personas[persona])
    assert client.get("/clients/").status_code == 403
    assert client.post("/clients/", {"name": "x", "role": "api_client_feeds"}).status_code == 403
    assert client.post(f"/clients/{registered[0].pk}/revoke/").status_code == 403
    with pytest.raises(PermissionDenied):
        api_client_register(acting_user=personas[persona], name="越权登记")
