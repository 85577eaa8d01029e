"""Production mode: settings secure by default, `check --deploy` clean, headers on every page, error pages,
favicon and the health check."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`manage.py` in a fresh process with ONLY the given variables (plus PATH/HOME), as an operator would start it."""
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root"), **env}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True,
                          timeout=120)


def _production(**extra: str) -> dict:
    return {"DEBUG": "False", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "minzheng.example.gov.cn",
            **extra}


def test_check_deploy_is_clean_with_only_debug_secret_key_and_hosts():
    done = _manage("check", "--deploy", "--fail-level", "WARNING", **_production())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_refuses_to_start_without_secret_key():
    done = _manage("check", DEBUG="False", ALLOWED_HOSTS="minzheng.example.gov.cn")
    assert done.returncode != 0
    assert "未设置 SECRET_KEY" in done.stderr


def test_build_time_commands_run_without_a_key_but_serving_ones_do_not():
    """`makemigrations --check` on a bare checkout needs no key (it signs nothing); `check` still refuses."""
    done = _manage("makemigrations", "--check", "--dry-run")
    assert done.returncode == 0 and "No changes detected" in done.stdout, done.stderr
    assert "未设置 SECRET_KEY" in _manage("check").stderr


def test_debug_is_off_unless_asked_for():
    """Nothing set but the key: production. The development fallback key exists only with DEBUG on."""
    assert "未设置 SECRET_KEY" in _manage("check").stderr
    assert _manage("check", DEBUG="1").returncode == 0


SHOW = ("import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
        " for k in ('DEBUG', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER')}))")


def _settings(**env: str) -> dict:
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "minzheng.settings", **env}
    done = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=clean, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_transport_security_is_on_by_default_and_loosened_only_explicitly():
    secure = _settings(**_production())
    assert secure["DEBUG"] is False
    assert secure["SECURE_SSL_REDIRECT"] and secure["SESSION_COOKIE_SECURE"] and secure["CSRF_COOKIE_SECURE"]
    assert secure["SECURE_HSTS_SECONDS"] >= 31536000
    assert secure["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    loose = _settings(**_production(SECURE_SSL_REDIRECT="0", SESSION_COOKIE_SECURE="0", SECURE_HSTS_SECONDS="0",
                                    SECURE_PROXY_SSL_HEADER=""))
    assert not loose["SECURE_SSL_REDIRECT"] and not loose["SESSION_COOKIE_SECURE"]
    assert loose["CSRF_COOKIE_SECURE"]  # not named, so still secure
    assert loose["SECURE_HSTS_SECONDS"] == 0 and loose["SECURE_PROXY_SSL_HEADER"] is None


# ---- headers ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_are_not_cached_and_carry_the_content_security_policy(client, personas):
    client.force_login(personas["district_officer"])
    response = client.get("/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    html = response.content.decode()
    # The policy allows no inline script: every <script> on the page loads a file.
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts)


@pytest.mark.django_db
def test_api_answers_and_downloads_are_not_cached(client, personas):
    client.force_login(personas["district_officer"])
    response = client.get("/api/areas/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


TEMPLATE_DIRS = [p for p in ROOT.glob("*/templates") if ".venv" not in p.parts and "node_modules" not in p.parts]


def test_no_template_has_inline_script_or_event_handler():
    """The CSP forbids inline scripts, so a template that adds one would silently stop working."""
    offenders = []
    for folder in TEMPLATE_DIRS:
        for template in folder.rglob("*.html"):
            text = template.read_text()
            for tag in re.findall(r"<script\b[^>]*>", text):
                if "src=" not in tag:
                    offenders.append(f"{template}: {tag}")
            offenders += [f"{template}: {m}" for m in re.findall(r"<[^>]*\son[a-z]+\s*=", text)]
            offenders += [f"{template}: javascript: URL" for _ in re.findall(r"javascript:", text)]
    assert TEMPLATE_DIRS and offenders == []


@pytest.mark.django_db
def test_api_docs_load_their_script_from_a_url(client, personas):
    client.force_login(personas["district_officer"])
    html = client.get("/api/docs/").content.decode()
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))


# ---- error pages, favicon -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_404_is_the_platforms_chinese_page(client, personas):
    client.force_login(personas["town_officer"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "未找到（404）" in html and "返回首页" in html
    assert "Page not found" not in html and "URLconf" not in html


@pytest.mark.django_db
@pytest.mark.urls("tests.ops.boom_urls")
def test_500_is_the_platforms_page_without_internal_details():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统暂时无法完成此操作" in html
    assert "hunter2" not in html and "Traceback" not in html and "secret.py" not in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.urls("tests.ops.boom_urls")
def test_403_is_the_platforms_page_with_the_services_reason():
    response = Client().get("/forbidden/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问（403）" in html and "无导出权限" in html


@pytest.mark.django_db
def test_csrf_failure_is_explained_in_chinese(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["district_officer"])
    response = client.post("/logout/")
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


@pytest.mark.django_db
def test_favicon_is_served_at_the_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # ICO header


# ---- health ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_check_needs_no_login_and_reports_each_component(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_check_fails_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # discard port: nothing listens
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"] == "error" and body["checks"]["database"] == "ok"
    assert "127.0.0.1" not in response.content.decode()  # no infrastructure detail to an anonymous caller


@pytest.mark.django_db
def test_health_check_fails_when_the_database_does_not_answer(client, monkeypatch):
    from web.views import ops

    def broken():
        raise RuntimeError("connection refused")

    monkeypatch.setattr(ops, "_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["database"] == "error"
