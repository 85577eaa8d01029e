"""The OpenAPI schema: generated without warnings, equal to the committed docs/openapi.yaml, served with a
Swagger UI that loads from this server (the bureau's network has no CDN)."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.drainage import reset_generator_stats
from rest_framework.test import APIClient

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
REGENERATE = ".venv/bin/python manage.py spectacular --file docs/openapi.yaml --validate --fail-on-warn"
# The contract: these paths and methods must stay (more may be added).
CONTRACT = {
    "/api/auth/token/": {"post"},
    "/api/areas/": {"get"},
    "/api/persons/": {"get", "post"},
    "/api/persons/{id}/": {"get", "patch"},
    "/api/persons/{id}/reveal-id/": {"post"},
    "/api/persons/{id}/death/": {"post"},
    "/api/persons/{person_pk}/disabilities/": {"get", "post"},
    "/api/households/": {"get", "post"},
    "/api/households/{id}/": {"get", "patch"},
    "/api/households/{household_pk}/incomes/": {"get", "post"},
    "/api/households/{household_pk}/assets/": {"get", "post"},
    "/api/income-categories/": {"get"},
    "/api/calendar/add-working-days/": {"get"},
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    reset_generator_stats()  # warnings of schemas generated earlier in this process must not count here
    # --fail-on-warn: a warning (an untyped field, an enum name collision) fails here, not in a client generator
    call_command("spectacular", "--file", str(out), "--validate", "--fail-on-warn")
    return out.read_text(encoding="utf-8")


def test_committed_schema_is_current(generated):
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    assert generated == committed, (
        f"docs/openapi.yaml is out of date with the API. Regenerate it with:\n    {REGENERATE}\n"
        "then review and commit the diff (outside systems read this file).")


def test_contract_paths_are_in_the_schema(generated):
    paths = yaml.safe_load(generated)["paths"]
    for path, methods in CONTRACT.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    assert not any("delete" in operations or "put" in operations for operations in paths.values())


def test_money_is_a_decimal_string_in_the_schema(generated):
    schemas = yaml.safe_load(generated)["components"]["schemas"]
    assert schemas["Income"]["properties"]["monthly_amount"]["type"] == "string"
    assert schemas["Income"]["properties"]["monthly_amount"]["format"] == "decimal"
    assert schemas["Asset"]["properties"]["value"]["format"] == "decimal"


@pytest.mark.django_db
def test_schema_endpoint_serves_json():
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    body = response.json()
    assert body["openapi"].startswith("3.")
    assert "/api/persons/" in body["paths"]


@pytest.mark.django_db
def test_swagger_ui_loads_from_this_server():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        local = f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"
        assert f"{settings.STATIC_URL}{local}" in page or f"/{settings.STATIC_URL}{local}" in page, asset
        # and the file is really there for collectstatic / whitenoise to serve
        assert finders.find(local), local


def test_every_operation_is_tagged_in_one_language(generated):
    """Tags group the operations for the bureau's integrators: all Chinese, none left to a path-derived default."""
    import re

    schema = yaml.safe_load(generated)
    tags = {tag for path in schema["paths"].values() for operation in path.values() if isinstance(operation, dict)
            for tag in operation.get("tags", [])}
    assert tags and all(re.search(r"[\u4e00-\u9fff]", tag) for tag in tags), sorted(tags)
