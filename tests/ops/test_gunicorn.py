"""The production server as deployed: gunicorn with several workers, production settings, behind a TLS proxy."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str, **headers: str):
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(urllib.request.Request(url, headers=headers), timeout=60)
    except urllib.error.HTTPError as error:  # 3xx/4xx/5xx arrive here: they are answers too
        return error


@pytest.fixture
def server(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root"), "DEBUG": "False",
           "SECRET_KEY": "test-" + "k" * 60, "ALLOWED_HOSTS": "127.0.0.1",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}"}
    process = subprocess.Popen([str(GUNICORN), "minzheng.wsgi:application", "--config", "deploy/gunicorn.conf.py",
                                "--workers", "2", "--bind", f"127.0.0.1:{port}",
                                # Load the app before binding: an open port then means a ready server.
                                "--preload"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):  # up to two minutes on a busy machine
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None:
                pytest.fail(process.stdout.read().decode())
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=30)


def test_gunicorn_serves_production_mode(server):
    health = _get(f"{server}/healthz")
    assert health.status == 200 and b'"database": "ok"' in health.read()
    # Plain HTTP is sent to HTTPS …
    plain = _get(f"{server}/login/")
    assert plain.status == 301 and plain.headers["Location"].startswith("https://")
    # … and the proxy's header says a request came over TLS: the login page, with secure cookies and HSTS.
    page = _get(f"{server}/login/", **{"X-Forwarded-Proto": "https"})
    assert page.status == 200
    assert "max-age=31536000" in page.headers["Strict-Transport-Security"]
    assert "no-store" in page.headers["Cache-Control"] and page.headers["Content-Security-Policy"]
    cookies = page.headers.get_all("Set-Cookie")
    assert cookies and all("Secure" in cookie for cookie in cookies)
    missing = _get(f"{server}/nowhere/", **{"X-Forwarded-Proto": "https"})
    assert missing.status == 404 and "未找到" in missing.read().decode()
