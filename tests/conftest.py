"""Shared fixtures: the 沙坪坝区 area tree and personas at each level, plus an outsider from another town."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.services import user_create

# Browser fixtures (page, shots) for tests/e2e*: plain fixtures, importing Playwright only when a test asks.
pytest_plugins = ["tests.browser"]

DISTRICT = "500106000000"
TOWN_A = "500106001000"  # 小龙坎街道
TOWN_B = "500106002000"  # 沙坪坝街道
PASSWORD = "Test-Password-2026!"


@pytest.fixture(autouse=True)
def fresh_cache():
    """API rate limits count in the cache; each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Stored files (uploads, bank files) go to a temporary folder per test, never into the repository."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is the production hasher (tested in tests/accounts); tests hash fast so personas are cheap."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def areas(db):
    call_command("load_areas", "areas/data/areas-500106.csv", verbosity=0)
    from areas.models import Area

    community_a = Area.objects.filter(parent_id=TOWN_A).order_by("code").first()
    community_a2 = Area.objects.filter(parent_id=TOWN_A).order_by("code")[1]
    community_b = Area.objects.filter(parent_id=TOWN_B).order_by("code").first()
    return {"district": DISTRICT, "town_a": TOWN_A, "town_b": TOWN_B, "community_a": community_a.code,
            "community_a2": community_a2.code, "community_b": community_b.code}


def _user(username, role, area):
    return user_create(username=username, password=PASSWORD, roles=[role], area_code=area, validate=False)


@pytest.fixture
def personas(areas):
    """One user per role; town-level people in town A, and an outsider (town officer of town B)."""
    return {
        "community_worker": _user("cw", "community_worker", areas["community_a"]),
        "town_officer": _user("to", "town_officer", areas["town_a"]),
        "town_reviewer": _user("tr", "town_reviewer", areas["town_a"]),
        "district_officer": _user("do", "district_officer", areas["district"]),
        "district_approver": _user("da", "district_approver", areas["district"]),
        "leader": _user("ld", "leader", areas["district"]),
        "admin": _user("adm", "admin", areas["district"]),
        "outsider": _user("out", "town_officer", areas["town_b"]),
    }


# Real, valid 18-digit numbers (GB 11643 check digits computed by hand): see tests/registry/test_identity.py.
def make_id(prefix: str, birth: str, seq: int, sex_odd: bool = True) -> str:
    """Build a valid ID number for tests: address prefix, birth date YYYYMMDD, sequence → check digit."""
    seq = seq * 2 + (1 if sex_odd else 0)
    body = f"{prefix}{birth}{seq % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


@pytest.fixture
def registry_data(personas, areas):
    """A household in community A (town A) and one in community B (town B), made by the district officer."""
    from registry.services import household_create, person_create

    officer = personas["district_officer"]
    a1 = person_create(acting_user=officer, name="张三", area_code=areas["community_a"],
                       id_number=make_id("500106", "19800101", 1))
    a2 = person_create(acting_user=officer, name="李四", area_code=areas["community_a"],
                       id_number=make_id("500106", "19820202", 2, sex_odd=False))
    b1 = person_create(acting_user=officer, name="王五", area_code=areas["community_b"],
                       id_number=make_id("500106", "19700303", 3))
    ha = household_create(acting_user=officer, area_code=areas["community_a"], hukou_type="urban",
                          members=[{"person": a1, "relation": "head"}, {"person": a2, "relation": "spouse"}])
    hb = household_create(acting_user=officer, area_code=areas["community_b"], hukou_type="rural",
                          members=[{"person": b1, "relation": "head"}])
    return {"a1": a1, "a2": a2, "b1": b1, "household_a": ha, "household_b": hb}


# S3-compatible storage for the file-storage tests (tests/imports/test_storage.py, tests/ops/test_orphan_files.py)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3_server():
    """A real S3-compatible server (moto's, from requirements-dev) on a free local port, for this test only."""
    binary = shutil.which("moto_server") or str(Path(__file__).resolve().parents[1] / ".venv/bin/moto_server")
    if not Path(binary).exists():
        pytest.fail("moto_server is missing: pip install -r requirements-dev.txt")
    port = _free_port()
    process = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_storage(settings, s3_server):
    import boto3

    keys = {"aws_access_key_id": "minzheng-test", "aws_secret_access_key": "minzheng-test-secret"}
    boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **keys).create_bucket(Bucket="minzheng")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": "minzheng", "endpoint_url": s3_server, "region_name": "us-east-1",
        "access_key": keys["aws_access_key_id"], "secret_key": keys["aws_secret_access_key"],
        "default_acl": "private", "querystring_auth": True, "file_overwrite": False}}}
    return boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **keys)
